package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.FlagSetServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.FlagChangeListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starting and stopping watches: closing stops the requests, polling off never starts, listeners that throw. */
class ChangeWatchLifecycleTest {
  private static final Duration INTERVAL = ChangePollingTest.INTERVAL;

  @StartStop
  final MockWebServer server = new MockWebServer();

  private final FlagSetServer flagSet = new FlagSetServer();
  private final Notices notices = new Notices(flagSet);

  @BeforeEach
  void serveTheFlagSet() {
    server.setDispatcher(flagSet);
    flagSet.put("a", "\"value\":true");
  }

  private RestFlagStore.Builder fastStore(String name) {
    return Ofrep.storeFor(server).name(name).changePollInterval(INTERVAL);
  }

  private static boolean pollThreadAlive(String storeName) {
    String name = "flagstack-rest-" + storeName + "-changes";
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  /** No request reaches the server for five intervals. */
  private void assertNoMorePolls() throws InterruptedException {
    int polls = flagSet.polls();
    Thread.sleep(INTERVAL.toMillis() * 5);
    assertThat(flagSet.polls()).isEqualTo(polls);
  }

  @Test
  void closingTheWatchStopsPolling() throws Exception {
    try (RestFlagStore store = fastStore("w1").build()) {
      AutoCloseable watch = store.watchChanges(notices);
      await("two conditional polls", () -> flagSet.notModified() >= 2);
      watch.close();
      watch.close(); // idempotent
      await("the poll thread to end", () -> !pollThreadAlive("w1"));
      assertNoMorePolls();
      flagSet.put("a", "\"value\":false");
      assertNoMorePolls();
      assertThat(notices.pending()).isEmpty();
    }
  }

  @Test
  void closingTheStoreStopsEveryWatchAndLaterWatchesAreInert() throws Exception {
    Notices other = new Notices(flagSet);
    RestFlagStore store = fastStore("w2").build();
    AutoCloseable one = store.watchChanges(notices);
    AutoCloseable two = store.watchChanges(other);
    await("two conditional polls", () -> flagSet.notModified() >= 2);
    store.close();
    await("the poll thread to end", () -> !pollThreadAlive("w2"));
    AutoCloseable late = store.watchChanges(new Notices(flagSet));
    assertNoMorePolls();
    assertThat(pollThreadAlive("w2")).isFalse();
    one.close();
    two.close();
    late.close();
    store.close();
    assertThat(notices.pending()).isEmpty();
    assertThat(other.pending()).isEmpty();
  }

  @Test
  void aWatchAfterTheLastOneClosedStartsAgainFromANewBaseline() throws Exception {
    try (RestFlagStore store = fastStore("w3").build()) {
      store.watchChanges(notices).close();
      flagSet.put("a", "\"value\":false");
      try (AutoCloseable again = store.watchChanges(notices)) {
        int before = flagSet.notModified();
        await("a new baseline and a conditional poll", () -> flagSet.notModified() > before);
        flagSet.put("b", "\"value\":1");
        assertThat(notices.next().what()).isEqualTo("[b]");
      }
    }
  }

  @Test
  void aZeroIntervalNeverPolls() throws Exception {
    try (RestFlagStore store = Ofrep.storeFor(server).name("off").changePollInterval(Duration.ZERO).build();
        AutoCloseable watch = store.watchChanges(notices)) {
      assertNoMorePolls();
      assertThat(flagSet.polls()).isZero();
      assertThat(pollThreadAlive("off")).isFalse();
      assertThat(store.toString()).contains("changePollInterval=0 ms");
    }
  }

  @Test
  void aListenerThatThrowsDoesNotStopLaterNotices() {
    AtomicInteger calls = new AtomicInteger();
    FlagChangeListener throwing = new FlagChangeListener() {
      @Override
      public void flagsChanged(Set<String> flags) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void everythingChanged() {
        calls.incrementAndGet();
        throw new AssertionError("listener bug");
      }
    };
    String logs = Ofrep.logsOf(() -> {
      try (RestFlagStore store = fastStore("w4").build();
          AutoCloseable bad = store.watchChanges(throwing);
          AutoCloseable good = store.watchChanges(notices)) {
        await("a baseline and a conditional poll", () -> flagSet.notModified() >= 1);
        flagSet.put("a", "\"value\":false");
        assertThat(notices.next().what()).isEqualTo("[a]");
        flagSet.touch();
        assertThat(notices.next().what()).isEqualTo(Notices.EVERYTHING);
        flagSet.put("b", "\"value\":1");
        assertThat(notices.next().what()).isEqualTo("[b]");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(calls).hasValue(3);
    assertThat(logs.lines().filter(l -> l.contains("WARN") && l.contains("threw"))).hasSize(1);
    assertThat(logs).contains("IllegalStateException", "polling goes on");
  }
}
