package dev.flagstack.examples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {
  @Test
  void percentilesAreWithinThreePercentOfTheExactOnes() {
    LatencyRecorder r = new LatencyRecorder();
    for (long v = 1; v <= 100_000; v++) {
      r.record(v * 37);
    }
    assertThat(r.count()).isEqualTo(100_000);
    assertThat((double) r.percentile(50)).isCloseTo(50_000 * 37, within(50_000 * 37 * 0.035));
    assertThat((double) r.percentile(99)).isCloseTo(99_000 * 37, within(99_000 * 37 * 0.035));
    assertThat((double) r.percentile(99.9)).isCloseTo(99_900 * 37, within(99_900 * 37 * 0.035));
    assertThat(r.percentile(100)).isEqualTo(r.max()).isEqualTo(100_000L * 37);
  }

  @Test
  void aRareSlowReadShowsAtTheTailOnly() {
    LatencyRecorder fast = new LatencyRecorder();
    LatencyRecorder slow = new LatencyRecorder();
    for (int i = 0; i < 9_990; i++) {
      fast.record(150);
    }
    for (int i = 0; i < 10; i++) {
      slow.record(1_000_000_000L);
    }
    fast.add(slow);
    assertThat(fast.percentile(99)).isEqualTo(151); // the bucket bound above 150
    assertThat(fast.percentile(99.95)).isGreaterThan(960_000_000L);
    assertThat(fast.max()).isEqualTo(1_000_000_000L);
  }

  @Test
  void smallValuesAreExactAndBucketsNeverOverlap() {
    for (long v = 0; v < 32; v++) {
      assertThat(LatencyRecorder.upperBound(LatencyRecorder.index(v))).isEqualTo(v);
    }
    long previous = -1;
    for (int i = 0; i < 1_800; i++) {
      long bound = LatencyRecorder.upperBound(i);
      assertThat(bound).isGreaterThan(previous);
      assertThat(LatencyRecorder.index(bound)).isEqualTo(i);
      previous = bound;
    }
    assertThat(new LatencyRecorder().percentile(99)).isZero();
  }
}
