package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The primary's breaker over time, driven by an injected clock: no test here sleeps. */
class BreakerTimelineTest {
  private final MutableClock clock = new MutableClock();
  private final InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
  private final RecordingListener listener = new RecordingListener();
  private final AtomicInteger flagNumber = new AtomicInteger();
  private FlagClient client;

  @BeforeEach
  void setUp() {
    client = FlagClient.builder().primary(primary).clock(clock).lastKnownGood(false)
        .eventListener(listener).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  /** One read of a fresh flag, so nothing is coalesced or cached. */
  private FlagDetail read() {
    String flag = "f";
    return client.getFlagDetail("e" + flagNumber.incrementAndGet(), flag, FlagValue.FALSE);
  }

  private void failTimes(int n) {
    primary.failTransiently();
    for (int i = 0; i < n; i++) {
      assertThat(read().errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    }
  }

  @Test
  void opensOnTheFourthConsecutiveTransientFailureNotTheThird() {
    failTimes(3);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    failTimes(1);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(listener.breakerChanges).containsExactly("PRIMARY api CLOSED->OPEN 15s");
  }

  @Test
  void aSuccessInBetweenResetsTheCount() {
    failTimes(3);
    primary.answer();
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    failTimes(3);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    failTimes(1);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void nonTransientErrorsNeverCountNorReset() {
    primary.failNonTransiently();
    for (int i = 0; i < 20; i++) {
      assertThat(read().errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    failTimes(3);
    primary.failNonTransiently();
    read();
    failTimes(1);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void unknownFlagNeverTripsTheBreaker() {
    for (int i = 0; i < 10; i++) {
      assertThat(client.getFlagDetail("e", "no-such-flag-" + i, FlagValue.FALSE).errorKind())
          .isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void openPeriodGrowsFifteenThirtySixtySixtyThenResetsAfterAGoodProbe() {
    failTimes(4);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);

    long[] expectedSeconds = {15, 30, 60, 60};
    for (int trip = 0; trip < expectedSeconds.length; trip++) {
      Duration open = Duration.ofSeconds(expectedSeconds[trip]);
      int callsBefore = primary.calls();
      clock.advance(open);
      read();
      assertThat(primary.calls()).as("no call while open, trip %d", trip + 1).isEqualTo(callsBefore);
      clock.advance(Duration.ofMillis(1));
      if (trip < expectedSeconds.length - 1) {
        read(); // the half-open probe fails
        assertThat(primary.calls()).as("one probe").isEqualTo(callsBefore + 1);
        assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
      }
    }
    assertThat(listener.breakerChanges).containsExactly(
        "PRIMARY api CLOSED->OPEN 15s",
        "PRIMARY api OPEN->HALF_OPEN", "PRIMARY api HALF_OPEN->OPEN 30s",
        "PRIMARY api OPEN->HALF_OPEN", "PRIMARY api HALF_OPEN->OPEN 60s",
        "PRIMARY api OPEN->HALF_OPEN", "PRIMARY api HALF_OPEN->OPEN 60s");

    primary.answer();
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);

    listener.breakerChanges.clear();
    failTimes(4);
    assertThat(listener.breakerChanges).containsExactly("PRIMARY api CLOSED->OPEN 15s");
    clock.advance(Duration.ofSeconds(15).plusMillis(1));
    primary.answer();
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void openBreakerSendsReadsToTheSecondaryWithoutCallingThePrimary() {
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.FALSE);
    try (FlagClient withSecondary = client.newBuilder().secondary(secondary).build()) {
      primary.failTransiently();
      for (int i = 0; i < 4; i++) {
        assertThat(withSecondary.getFlagDetail("x" + i, "f", FlagValue.TRUE).source()).isEqualTo(FlagSource.SECONDARY);
      }
      assertThat(withSecondary.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
      int calls = primary.calls();
      for (int i = 0; i < 50; i++) {
        assertThat(withSecondary.getFlagDetail("y" + i, "f", FlagValue.TRUE).source()).isEqualTo(FlagSource.SECONDARY);
      }
      assertThat(primary.calls()).isEqualTo(calls);
    }
  }

  @Test
  void customSettingsAreHonoured() {
    try (FlagClient custom = client.newBuilder()
        .primaryBreaker(BreakerSettings.builder().failureThreshold(2).openDuration(Duration.ofSeconds(1))
            .maxOpenDuration(Duration.ofSeconds(3)).backoffMultiplier(3).build())
        .build()) {
      primary.failTransiently();
      custom.getFlagDetail("a", "f", FlagValue.FALSE);
      assertThat(custom.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
      custom.getFlagDetail("b", "f", FlagValue.FALSE);
      assertThat(custom.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
      clock.advance(Duration.ofMillis(1001));
      custom.getFlagDetail("c", "f", FlagValue.FALSE);
      assertThat(listener.breakerChanges).endsWith("PRIMARY api HALF_OPEN->OPEN 3s");
    }
  }
}
