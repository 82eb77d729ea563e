package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.FlagSetServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.store.rest.FlagSetServer.Seen;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Change polling against a real HTTP server whose flag set changes and whose ETags are real: what is
 * reported, when, and what the polls send.
 */
class ChangePollingTest {
  static final Duration INTERVAL = Duration.ofMillis(50);

  @StartStop
  final MockWebServer server = new MockWebServer();

  private final FlagSetServer flagSet = new FlagSetServer();
  private final Notices notices = new Notices(flagSet);

  @BeforeEach
  void serveTheFlagSet() {
    server.setDispatcher(flagSet);
    flagSet.put("a", "\"value\":true,\"reason\":\"STATIC\",\"variant\":\"on\",\"metadata\":{\"team\":\"x\"}")
        .put("b", "\"value\":\"x\",\"reason\":\"STATIC\"");
  }

  private RestFlagStore.Builder fastStore() {
    return Ofrep.storeFor(server).changePollInterval(INTERVAL);
  }

  /** Waits for the baseline poll and one conditional poll after it, so the watch is settled. */
  private void awaitBaseline() {
    await("a baseline and a conditional poll", () -> flagSet.notModified() >= 1);
  }

  @Test
  void aChangedValueIsReportedByTheFirstOrSecondPollAfterTheChange() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      int pollsBefore = flagSet.polls();
      long start = System.nanoTime();
      flagSet.put("a", "\"value\":false,\"reason\":\"STATIC\",\"variant\":\"on\",\"metadata\":{\"team\":\"x\"}");

      Notices.Notice notice = notices.next();
      assertThat(notice.what()).isEqualTo("[a]");
      // A poll in flight during the change may miss it; the one after it cannot.
      assertThat(notice.pollsSoFar() - pollsBefore).isBetween(1, 2);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

      int settled = flagSet.notModified();
      await("two more conditional polls", () -> flagSet.notModified() >= settled + 2);
      assertThat(notices.pending()).isEmpty();
    }
  }

  static Stream<Arguments> edits() {
    String a = "\"value\":true,\"reason\":\"STATIC\",\"variant\":\"on\",\"metadata\":{\"team\":\"x\"}";
    return Stream.of(
        edit("a value", s -> s.put("a", a.replace("true", "false")), "[a]"),
        edit("a reason", s -> s.put("a", a.replace("STATIC", "TARGETING_MATCH")), "[a]"),
        edit("a variant with the same value", s -> s.put("a", a.replace("\"on\"", "\"also-on\"")), "[a]"),
        edit("flag metadata", s -> s.put("a", a.replace("\"x\"", "\"y\"")), "[a]"),
        edit("an error code", s -> s.put("a", "\"errorCode\":\"GENERAL\""), "[a]"),
        edit("an added flag", s -> s.put("c", "\"value\":1"), "[c]"),
        edit("a removed flag", s -> s.remove("b"), "[b]"),
        edit("two flags at once", s -> {
          s.put("a", a.replace("true", "false"));
          s.put("b", "\"value\":\"y\",\"reason\":\"STATIC\"");
        }, "[a, b]"));
  }

  private static Arguments edit(String name, Consumer<FlagSetServer> edit, String expected) {
    return Arguments.of(name, edit, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edits")
  void eachPartOfAFlagsResultCountsAsAChange(String name, Consumer<FlagSetServer> edit, String expected)
      throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      synchronized (flagSet) { // one edit, as the server sees it
        edit.accept(flagSet);
      }
      assertThat(notices.next().what()).isEqualTo(expected);
      int settled = flagSet.notModified();
      await("two more conditional polls", () -> flagSet.notModified() >= settled + 2);
      assertThat(notices.pending()).isEmpty();
    }
  }

  @Test
  void notModifiedRepliesReportNothing() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      await("five conditional polls", () -> flagSet.notModified() >= 5);
      assertThat(notices.pending()).isEmpty();
      assertThat(flagSet.seen()).extracting(Seen::status).startsWith(200, 304, 304, 304, 304, 304);
    }
  }

  @Test
  void ifNoneMatchCarriesTheLastETag() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      String first = flagSet.etag();
      flagSet.put("c", "\"value\":1");
      String second = flagSet.etag();
      assertThat(notices.next().what()).isEqualTo("[c]");
      int settled = flagSet.notModified();
      await("a conditional poll with the new ETag", () -> flagSet.notModified() > settled);
    }
    List<Seen> seen = flagSet.seen();
    assertThat(seen.get(0).ifNoneMatch()).isNull();
    List<String> sent = seen.stream().skip(1).map(Seen::ifNoneMatch).distinct().toList();
    assertThat(sent).isNotEmpty().allMatch(tag -> tag.startsWith("\"v"));
    assertThat(sent.get(sent.size() - 1)).isEqualTo(flagSet.etag());
    assertThat(seen).anyMatch(s -> flagSet.etag().equals(s.ifNoneMatch()) && s.status() == 304);
  }

  @Test
  void aNewETagWithoutAPerFlagDifferenceReportsEverything() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      flagSet.touch(); // a rule only other entities see, or set-level metadata: same answer for the probe
      assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
      int settled = flagSet.notModified();
      await("two more conditional polls", () -> flagSet.notModified() >= settled + 2);
      assertThat(notices.pending()).isEmpty();
    }
  }

  @Test
  void changedErrorDetailsAloneAreNoPerFlagChangeButTheNewETagReportsEverything() throws Exception {
    flagSet.put("c", "\"errorCode\":\"GENERAL\",\"errorDetails\":\"one\"");
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      flagSet.put("c", "\"errorCode\":\"GENERAL\",\"errorDetails\":\"two\"");
      assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
    }
  }

  @Test
  void theFirstPollIsABaselineAndReportsNothing() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      await("three conditional polls", () -> flagSet.notModified() >= 3);
      assertThat(notices.pending()).isEmpty();
    }
  }

  @Test
  void pollsPostTheProbeContextToTheBulkEndpoint() throws Exception {
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
    }
    assertThat(flagSet.seen()).allSatisfy(s -> {
      assertThat(s.method()).isEqualTo("POST");
      assertThat(s.path()).isEqualTo(FlagSetServer.BULK_PATH);
      assertThat(s.targetingKey()).isEqualTo(RestFlagStore.Builder.DEFAULT_CHANGE_PROBE_TARGETING_KEY)
          .isEqualTo("flagstack-change-probe");
    });
  }

  @Test
  void theProbeTargetingKeyIsConfigurable() throws Exception {
    String probe = "probe \"é\" %2F/ 🚀";
    try (RestFlagStore store = fastStore().changeProbeTargetingKey(probe).build();
        AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
    }
    assertThat(flagSet.seen()).extracting(Seen::targetingKey).containsOnly(probe);
  }

  @Test
  void everyWatchOfAStoreGetsEachNoticeFromOnePollLoop() throws Exception {
    Notices other = new Notices(flagSet);
    try (RestFlagStore store = fastStore().name("shared").build();
        AutoCloseable one = store.watchChanges(notices);
        AutoCloseable two = store.watchChanges(other)) {
      awaitBaseline();
      flagSet.put("c", "\"value\":1");
      assertThat(notices.next().what()).isEqualTo("[c]");
      assertThat(other.next().what()).isEqualTo("[c]");
      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(t -> t.getName().equals("flagstack-rest-shared-changes")).hasSize(1);
    }
  }

  @Test
  void noticesComeOnTheStoresOwnDaemonThread() throws Exception {
    try (RestFlagStore store = fastStore().name("own").build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      flagSet.put("c", "\"value\":1");
      Thread thread = notices.next().thread();
      assertThat(thread.getName()).isEqualTo("flagstack-rest-own-changes");
      assertThat(thread.isDaemon()).isTrue();
      assertThat(thread).isNotSameAs(Thread.currentThread());
    }
  }
}
