package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builders fail fast and name the option and the bad value. */
class BuilderValidationTest {
  private final InMemoryFlagStore store = new InMemoryFlagStore("api");

  @Test
  void primaryIsRequired() {
    assertThatThrownBy(() -> FlagClient.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("primary store is required");
  }

  @Test
  void singleValuedOptionsCannotBeSetTwiceToDifferentStores() {
    assertThatThrownBy(() -> FlagClient.builder().primary(store).primary(new InMemoryFlagStore("other")))
        .isInstanceOf(IllegalStateException.class).hasMessage("primary was already set to api");
    assertThatThrownBy(() -> FlagClient.builder().primary(store).secondary(store).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("different stores");
    FakeRemoteCache cache = new FakeRemoteCache("redis", Duration.ofMillis(10));
    assertThatThrownBy(() -> FlagClient.builder().addCache(cache).addCache(cache))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("redis was already added");
  }

  @Test
  void badNumbersAndDurationsNameTheOption() {
    FlagClient.Builder b = FlagClient.builder();
    assertThatThrownBy(() -> b.secondaryMaxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("secondaryMaxConcurrency must be at least 1, was 0");
    assertThatThrownBy(() -> b.maxBatchSize(-5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBatchSize must be at least 1, was -5");
    assertThatThrownBy(() -> b.secondaryCacheTtl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("secondaryCacheTtl must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> b.lastKnownGoodMaxAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastKnownGoodMaxAge");
    assertThatThrownBy(() -> b.lastKnownGoodMaxEntries(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastKnownGoodMaxEntries");
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
  }

  @Test
  void breakerSettingsAreValidated() {
    assertThatThrownBy(() -> BreakerSettings.builder().failureThreshold(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("failureThreshold must be at least 1, was 0");
    assertThatThrownBy(() -> BreakerSettings.builder().backoffMultiplier(0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoffMultiplier");
    assertThatThrownBy(() -> BreakerSettings.builder().backoffMultiplier(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoffMultiplier");
    assertThatThrownBy(() -> BreakerSettings.builder().openDuration(Duration.ofSeconds(90)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxOpenDuration");
  }

  @Test
  void defaultsAreTheSeedDesigns() {
    BreakerSettings d = BreakerSettings.PRIMARY_DEFAULTS;
    assertThat(d.failureThreshold()).isEqualTo(4);
    assertThat(d.openDurationForTrip(1)).hasSeconds(15);
    assertThat(d.openDurationForTrip(2)).hasSeconds(30);
    assertThat(d.openDurationForTrip(3)).hasSeconds(60);
    assertThat(d.openDurationForTrip(9)).hasSeconds(60);
    assertThat(new InMemoryFlagStore("x").callTimeout()).hasSeconds(1);
  }

  @Test
  void buildNeverContactsABackend() {
    InMemoryFlagStore down = new InMemoryFlagStore("api").failTransiently();
    try (FlagClient client = FlagClient.builder().primary(down).build()) {
      assertThat(down.calls()).isZero();
      assertThat(client.toString()).isEqualTo("FlagClient{caches=[], primary=api}");
    }
  }
}
