package dev.flagstack.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.cache.redis.internal.ChangeTimes;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory change times behind the Redis tier's refusals: semantics and the bound. */
class ChangeTimesTest {
  private static final long SKEW = 1_000;
  private static final long TTL = 60_000;

  @Test
  void withNoChangeHeardEveryStampIsAccepted() {
    ChangeTimes times = new ChangeTimes(10, SKEW, TTL);
    assertThat(times.accepts("f", Long.MIN_VALUE)).isTrue();
    assertThat(times.accepts("f", 0)).isTrue();
  }

  @Test
  void aChangeRefusesStampsBeforeItPlusTheAllowanceForThatFlagOnly() {
    ChangeTimes times = new ChangeTimes(10, SKEW, TTL);
    times.flagsChanged(Set.of("f"), 10_000);
    assertThat(times.accepts("f", 10_999)).isFalse();
    assertThat(times.accepts("f", 11_000)).isTrue();
    assertThat(times.accepts("g", 0)).isTrue();
    times.flagsChanged(Set.of("f"), 5_000);
    assertThat(times.accepts("f", 10_999)).as("an older notice never lowers the time").isFalse();
    times.everythingChanged(20_000);
    assertThat(times.accepts("g", 20_999)).isFalse();
    assertThat(times.accepts("f", 21_000)).isTrue();
    assertThat(times.size()).as("entries below the floor are dropped").isZero();
  }

  @Test
  void theMapNeverGrowsPastItsCapAndFallsBackToRaisingTheFloor() {
    ChangeTimes times = new ChangeTimes(3, SKEW, TTL);
    times.flagsChanged(Set.of("a", "b", "c"), 1_000);
    assertThat(times.size()).isEqualTo(3);
    assertThat(times.accepts("d", 0)).isTrue();
    times.flagsChanged(Set.of("a"), 1_500);
    assertThat(times.size()).as("a known flag takes no new room").isEqualTo(3);

    times.flagsChanged(Set.of("d"), 2_000);
    assertThat(times.size()).isLessThanOrEqualTo(3);
    assertThat(times.floor()).isEqualTo(2_000);
    assertThat(times.accepts("d", 2_999)).isFalse();
    assertThat(times.accepts("unnamed", 2_999)).as("the fallback refuses every older value").isFalse();
    assertThat(times.accepts("unnamed", 3_000)).isTrue();
  }

  @Test
  void entriesTooOldToMatterMakeRoomBeforeTheFloorIsRaised() {
    ChangeTimes times = new ChangeTimes(2, SKEW, TTL);
    times.flagsChanged(Set.of("a", "b"), 1_000);
    long muchLater = 1_000 + SKEW + TTL + 300_000 + 1;
    times.flagsChanged(Set.of("c"), muchLater);
    assertThat(times.floor()).as("no fallback was needed").isEqualTo(Long.MIN_VALUE);
    assertThat(times.accepts("c", muchLater)).isFalse();
    assertThat(times.accepts("a", 0)).as("forgotten: no value that old can still be in Redis").isTrue();
  }

  @Test
  void aCapBelowOneIsRefused() {
    assertThatThrownBy(() -> new ChangeTimes(0, SKEW, TTL)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFlags must be at least 1, was 0");
  }
}
