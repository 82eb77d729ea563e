package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, item 5: a breaker permission or a secondary permit is always given back, exactly once. */
@Timeout(30)
class GuardedCallTest {

  /** A store that throws an Error on cue and otherwise answers from {@code values}. */
  static final class ErrorThrowingStore implements FlagStore {
    final InMemoryFlagStore values;
    final AtomicBoolean throwError = new AtomicBoolean();
    private final Duration callTimeout;

    ErrorThrowingStore(InMemoryFlagStore values, Duration callTimeout) {
      this.values = values;
      this.callTimeout = callTimeout;
    }

    @Override
    public String name() {
      return values.name();
    }

    @Override
    public Duration callTimeout() {
      return callTimeout;
    }

    @Override
    public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
      if (throwError.get()) {
        throw new AssertionError("a bug in the store");
      }
      return values.getFlags(entity, flags);
    }
  }

  @Test
  void aHalfOpenProbeThatThrowsAnErrorStillReportsAndTheBreakerClosesLater() {
    MutableClock clock = new MutableClock();
    InMemoryFlagStore values = new InMemoryFlagStore("api").put("f", FlagValue.TRUE).failTransiently();
    ErrorThrowingStore primary = new ErrorThrowingStore(values, Duration.ofSeconds(1));
    try (FlagClient client = FlagClient.builder().primary(primary).clock(clock).lastKnownGood(false).build()) {
      for (int i = 0; i < 4; i++) {
        client.getFlagDetail("e" + i, "f", FlagValue.FALSE);
      }
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
      clock.advance(Duration.ofSeconds(15).plusMillis(1));
      primary.throwError.set(true);
      values.answer();
      FlagDetail probe = client.getFlagDetail("probe", "f", FlagValue.FALSE);
      assertThat(probe.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
      assertThat(client.primaryBreakerState()).as("the probe's Error counts as a failure").isEqualTo(BreakerState.OPEN);

      primary.throwError.set(false);
      clock.advance(Duration.ofSeconds(30).plusMillis(1));
      assertThat(client.getFlagDetail("later", "f", FlagValue.FALSE).source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    }
  }

  @Test
  void aSecondaryThatThrowsAnErrorGivesItsPermitBack() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    ErrorThrowingStore secondary = new ErrorThrowingStore(
        new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE), Duration.ofSeconds(1));
    secondary.throwError.set(true);
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(2).lastKnownGood(false).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(client.getFlagDetail("e" + i, "f", FlagValue.FALSE).errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
      }
      secondary.throwError.set(false);
      for (int i = 0; i < 10; i++) {
        assertThat(client.getFlagDetail("later" + i, "f", FlagValue.FALSE).source()).isEqualTo(FlagSource.SECONDARY);
      }
    }
  }

  @Test
  void aCallTimeoutTooLargeForNanosecondsIsClampedAndEveryPermitComesBack() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofSeconds(Long.MAX_VALUE)).failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofSeconds(Long.MAX_VALUE))
        .put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .lastKnownGood(false).build()) {
      for (int i = 0; i < 20; i++) {
        FlagDetail detail = client.getFlagDetail("e" + i, "f", FlagValue.FALSE);
        assertThat(detail.source()).as("read %d: %s", i, detail).isEqualTo(FlagSource.SECONDARY);
      }
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    }
  }

  @Test
  void aStoreTimeoutThatIsNotPositiveIsRefusedAtBuild() {
    InMemoryFlagStore zero = new InMemoryFlagStore("api", Duration.ZERO);
    assertThatThrownBy(() -> FlagClient.builder().primary(zero).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api").hasMessageContaining("callTimeout").hasMessageContaining("PT0S");
    InMemoryFlagStore negative = new InMemoryFlagStore("mongo", Duration.ofMillis(-5));
    assertThatThrownBy(() -> FlagClient.builder().primary(new InMemoryFlagStore("api")).secondary(negative).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mongo");
    FakeRemoteCache noBudget = new FakeRemoteCache("redis", Duration.ZERO);
    assertThatThrownBy(() -> FlagClient.builder().addCache(noBudget).primary(new InMemoryFlagStore("api")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis").hasMessageContaining("timeBudget");
  }
}
