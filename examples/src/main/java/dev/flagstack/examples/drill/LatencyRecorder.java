package dev.flagstack.examples.drill;

/**
 * A histogram of durations in nanoseconds with logarithmic buckets: exact below 32 ns, then 32 buckets per
 * power of two (within about 3%). Recording is one array increment, so it can run on every read; a
 * percentile is the upper bound of the bucket that holds it. Not thread-safe: one recorder per thread,
 * {@link #add merged} afterwards.
 */
public final class LatencyRecorder {
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long max;

  /** Records one duration; a negative one counts as zero. */
  public void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[index(v)]++;
    total++;
    if (v > max) {
      max = v;
    }
  }

  /** Adds every duration recorded by {@code other}. */
  public void add(LatencyRecorder other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    max = Math.max(max, other.max);
  }

  /** How many durations were recorded. */
  public long count() {
    return total;
  }

  /** The longest duration recorded (exact), or 0. */
  public long max() {
    return max;
  }

  /**
   * The smallest bucket bound below or at which {@code percentile}% of the durations lie (never more than
   * {@link #max()}), or 0 if nothing was recorded.
   */
  public long percentile(double percentile) {
    if (percentile < 0 || percentile > 100) {
      throw new IllegalArgumentException("percentile must be in [0, 100], was " + percentile);
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(total * percentile / 100.0));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(upperBound(i), max);
      }
    }
    return max;
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int magnitude = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
    int shift = magnitude - SUB_BITS;
    return SUB + shift * SUB + (int) ((v >>> shift) - SUB);
  }

  static long upperBound(int index) {
    if (index < SUB) {
      return index;
    }
    int shift = (index - SUB) / SUB;
    long sub = (index - SUB) % SUB;
    return ((SUB + sub + 1) << shift) - 1;
  }
}
