package dev.flagstack;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a layer's circuit breaker. The breaker opens after {@link #failureThreshold()}
 * consecutive transient failures and stays open for {@link #openDuration()}, then lets one probe call
 * through. Each consecutive re-trip multiplies the open period by {@link #backoffMultiplier()}, up to
 * {@link #maxOpenDuration()}; once a probe succeeds the breaker closes and the next trip starts again at
 * {@link #openDuration()}. Only transient failures count; non-transient errors neither count nor reset.
 */
public final class BreakerSettings {
  /** Consecutive transient failures that open the primary's breaker: {@value}, as in the seed design. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 4;
  /** First open period of the primary's breaker: 15 s. */
  public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(15);
  /** Longest open period of the primary's breaker: 60 s. */
  public static final Duration DEFAULT_MAX_OPEN_DURATION = Duration.ofSeconds(60);
  /** Growth of the open period per consecutive re-trip: {@value}. */
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;

  /** The primary store's defaults: 4 failures, open 15 s, 30 s, 60 s, 60 s... */
  public static final BreakerSettings PRIMARY_DEFAULTS = builder().build();

  /**
   * A remote cache tier's defaults: 4 failures, open 5 s doubling up to 30 s. Shorter than the primary's
   * because a cache that comes back should be used again soon, and skipping it only costs a store call.
   */
  public static final BreakerSettings CACHE_DEFAULTS =
      builder().openDuration(Duration.ofSeconds(5)).maxOpenDuration(Duration.ofSeconds(30)).build();

  private final int failureThreshold;
  private final Duration openDuration;
  private final Duration maxOpenDuration;
  private final double backoffMultiplier;

  private BreakerSettings(Builder b) {
    this.failureThreshold = b.failureThreshold;
    this.openDuration = b.openDuration;
    this.maxOpenDuration = b.maxOpenDuration;
    this.backoffMultiplier = b.backoffMultiplier;
  }

  /** A builder starting from the primary's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.failureThreshold = failureThreshold;
    b.openDuration = openDuration;
    b.maxOpenDuration = maxOpenDuration;
    b.backoffMultiplier = backoffMultiplier;
    return b;
  }

  public int failureThreshold() {
    return failureThreshold;
  }

  public Duration openDuration() {
    return openDuration;
  }

  public Duration maxOpenDuration() {
    return maxOpenDuration;
  }

  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /** The open period after the {@code trip}-th consecutive trip (1 for the first). */
  public Duration openDurationForTrip(int trip) {
    double millis = openDuration.toMillis() * Math.pow(backoffMultiplier, Math.max(0, trip - 1));
    return Duration.ofMillis((long) Math.min(millis, maxOpenDuration.toMillis()));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BreakerSettings)) {
      return false;
    }
    BreakerSettings that = (BreakerSettings) o;
    return failureThreshold == that.failureThreshold && openDuration.equals(that.openDuration)
        && maxOpenDuration.equals(that.maxOpenDuration)
        && Double.compare(backoffMultiplier, that.backoffMultiplier) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(failureThreshold, openDuration, maxOpenDuration, backoffMultiplier);
  }

  @Override
  public String toString() {
    return "BreakerSettings{failureThreshold=" + failureThreshold + ", openDuration=" + openDuration
        + ", maxOpenDuration=" + maxOpenDuration + ", backoffMultiplier=" + backoffMultiplier + '}';
  }

  /** Builds {@link BreakerSettings}; every setter validates at once. */
  public static final class Builder {
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private Duration openDuration = DEFAULT_OPEN_DURATION;
    private Duration maxOpenDuration = DEFAULT_MAX_OPEN_DURATION;
    private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;

    private Builder() {}

    /** Consecutive transient failures that open the breaker; at least 1. Default {@value #DEFAULT_FAILURE_THRESHOLD}. */
    public Builder failureThreshold(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("failureThreshold must be at least 1, was " + failures);
      }
      this.failureThreshold = failures;
      return this;
    }

    /** First open period; at least 1 ms. Default 15 s. */
    public Builder openDuration(Duration duration) {
      this.openDuration = Settings.atLeastOneMilli("openDuration", duration);
      return this;
    }

    /** Longest open period; at least 1 ms. Default 60 s. */
    public Builder maxOpenDuration(Duration duration) {
      this.maxOpenDuration = Settings.atLeastOneMilli("maxOpenDuration", duration);
      return this;
    }

    /** Growth of the open period per consecutive re-trip; 1.0 keeps it constant. Default 2.0. */
    public Builder backoffMultiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("backoffMultiplier must be a finite number >= 1.0, was " + multiplier);
      }
      this.backoffMultiplier = multiplier;
      return this;
    }

    /** @throws IllegalStateException if maxOpenDuration is shorter than openDuration */
    public BreakerSettings build() {
      if (maxOpenDuration.compareTo(openDuration) < 0) {
        throw new IllegalStateException("maxOpenDuration (" + maxOpenDuration
            + ") must not be shorter than openDuration (" + openDuration + ")");
      }
      return new BreakerSettings(this);
    }
  }
}
