package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.FlagSetServer.await;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.rest.FlagSetServer.Seen;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failed polls: after any of them the next success reports everything (changes may have been missed);
 * a 429 pauses polls until its Retry-After time; failures are logged without noise or secrets and never
 * reach a breaker.
 */
class ChangePollingFailuresTest {
  private static final Duration INTERVAL = ChangePollingTest.INTERVAL;
  private static final String TOKEN = "tok-S3CRET-poll-123";
  private static final String API_KEY = "key-S3CRET-poll-456";

  @StartStop
  final MockWebServer server = new MockWebServer();

  private final FlagSetServer flagSet = new FlagSetServer();
  private final Notices notices = new Notices(flagSet);

  @BeforeEach
  void serveTheFlagSet() {
    server.setDispatcher(flagSet);
    flagSet.put("a", "\"value\":true,\"reason\":\"STATIC\"").put("b", "\"value\":\"x\"");
  }

  private RestFlagStore.Builder fastStore() {
    return Ofrep.storeFor(server).changePollInterval(INTERVAL);
  }

  private void awaitBaseline() {
    await("a baseline and a conditional poll", () -> flagSet.notModified() >= 1);
  }

  static Stream<Arguments> failedPolls() {
    String oversized = "{\"flags\":[],\"pad\":\"" + "x".repeat(2000) + "\"}";
    return Stream.of(
        failed("HTTP 503", b -> b, status(503)),
        failed("HTTP 500 with an OFREP body", b -> b, json(500, "{\"errorCode\":\"GENERAL\"}")),
        failed("a proxy's HTML page", b -> b, json(200, "<html>bad gateway</html>")),
        failed("a reply over maxResponseBytes", b -> b.maxResponseBytes(1024), json(200, oversized)),
        failed("a connection dropped mid-body", b -> b, new MockResponse.Builder().code(200)
            .body("{\"flags\":[" + "{\"key\":\"k\",\"value\":1},".repeat(200) + "{\"key\":\"z\",\"value\":1}]}")
            .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build()),
        failed("no answer within the call timeout", b -> b.callTimeout(Duration.ofMillis(300)),
            new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build()),
        failed("HTTP 401", b -> b, json(401, "{}")),
        failed("HTTP 400", b -> b, json(400, "{\"errorCode\":\"INVALID_CONTEXT\"}")),
        failed("HTTP 404", b -> b, status(404)),
        failed("HTTP 429 with a past Retry-After", b -> b,
            new MockResponse.Builder().code(429).setHeader("Retry-After", "0").build()));
  }

  private static Arguments failed(String name, UnaryOperator<RestFlagStore.Builder> settings, MockResponse reply) {
    return Arguments.of(name, settings, reply);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failedPolls")
  void aFailedPollFollowedBySuccessReportsEverything(String name, UnaryOperator<RestFlagStore.Builder> settings,
      MockResponse reply) throws Exception {
    try (RestFlagStore store = settings.apply(fastStore()).build();
        AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      int before = flagSet.polls();
      flagSet.scriptNext(reply);
      Notices.Notice notice = notices.next();
      assertThat(notice.what()).isEqualTo(Notices.EVERYTHING);
      assertThat(notice.pollsSoFar()).isGreaterThan(before + 1); // the failed poll, then the success
      int settled = flagSet.notModified();
      await("two more conditional polls", () -> flagSet.notModified() >= settled + 2);
      assertThat(notices.pending()).isEmpty();
    }
  }

  @Test
  void aFirstPollThatFailsMakesItsFirstSuccessReportEverything() throws Exception {
    flagSet.scriptNext(status(503));
    try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
      assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
      assertThat(flagSet.seen()).extracting(Seen::status).startsWith(503, 200);
      flagSet.put("c", "\"value\":1");
      assertThat(notices.next().what()).isEqualTo("[c]");
    }
  }

  @Test
  void pollFailuresAreLoggedOnceAtWarnAndTheRecoveryOnceAtInfo() {
    String logs = Ofrep.logsOf(() -> {
      try (RestFlagStore store = fastStore().build(); AutoCloseable watch = store.watchChanges(notices)) {
        awaitBaseline();
        flagSet.scriptNext(status(503), status(502), json(200, "not json"));
        assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    List<String> lines = logs.lines().toList();
    assertThat(lines).filteredOn(l -> l.contains("WARN")).hasSize(1).first().asString()
        .contains("HTTP 503", "change notices resume with the next successful poll");
    assertThat(lines).filteredOn(l -> l.contains("INFO")).hasSize(1).first().asString()
        .contains("recovered after 3 failed polls");
    assertThat(lines).filteredOn(l -> l.contains("ERROR")).isEmpty();
  }

  @Test
  void a429PausesPollsAndReadsUntilItsRetryAfterTime() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
    try (RestFlagStore store = fastStore().clock(clock).build(); AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      flagSet.scriptNext(new MockResponse.Builder().code(429).setHeader("Retry-After", "120").build());
      await("the 429", () -> flagSet.seen().stream().anyMatch(s -> s.status() == 429));
      int polls = flagSet.polls();

      Thread.sleep(INTERVAL.toMillis() * 6); // six intervals of real time, none of the paused clock
      StoreException read = failure(store.getFlags("e", flags("a", "b")));
      assertThat(read).hasMessageContaining("no calls before 2026-11-20T10:02:00Z");
      assertThat(flagSet.seen()).hasSize(polls); // neither a poll nor the read reached the server
      assertThat(notices.pending()).isEmpty();

      clock.advance(Duration.ofSeconds(120));
      assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
      assertThat(flagSet.polls()).isGreaterThan(polls);
    }
  }

  @Test
  void pollFailuresNeverCountAgainstTheClientsBreaker() throws Exception {
    try (RestFlagStore store = fastStore().build();
        InMemoryFlagStore backup = new InMemoryFlagStore("backup").put("a", FlagValue.of("from-backup"));
        FlagClient client = FlagClient.builder().primary(store).secondary(backup).lastKnownGood(false).build();
        AutoCloseable watch = store.watchChanges(notices)) {
      awaitBaseline();
      List<MockResponse> failures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        failures.add(status(503));
      }
      flagSet.scriptNext(failures.toArray(new MockResponse[0]));
      assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
      assertThat(flagSet.seen()).filteredOn(s -> s.status() == 503).hasSize(8);

      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
      FlagDetail detail = client.getFlagDetail("e", "a", FlagValue.FALSE);
      assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(detail.value()).isEqualTo(FlagValue.TRUE);
      assertThat(backup.calls()).isZero();
    }
  }

  @Test
  void pollsSendTheCredentialsAndNeverLogThem() {
    String logs = Ofrep.logsOf(() -> {
      try (RestFlagStore store = fastStore().bearerToken(TOKEN).apiKey(API_KEY).build();
          AutoCloseable watch = store.watchChanges(notices)) {
        awaitBaseline();
        flagSet.scriptNext(json(401, "{}"), json(403, "{}"), status(503), json(200, "<html/>"),
            json(400, "{\"errorCode\":\"INVALID_CONTEXT\",\"errorDetails\":\"bad\"}"),
            new MockResponse.Builder().code(429).setHeader("Retry-After", "0").build());
        assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
        assertThat(store.toString()).doesNotContain("S3CRET");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(flagSet.seen()).hasSizeGreaterThan(7).allSatisfy(s -> {
      assertThat(s.authorization()).isEqualTo("Bearer " + TOKEN);
      assertThat(s.apiKey()).isEqualTo(API_KEY);
    });
    assertThat(logs).contains("WARN", "HTTP 401").doesNotContain("S3CRET");
  }
}
