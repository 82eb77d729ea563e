package dev.flagstack.store.grpc.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The timing of a change watch: how long a silent stream lives, and how long to wait before reopening
 * one. The wait doubles from {@code initialBackoff} with each consecutive failure up to {@code maxBackoff};
 * each wait is drawn at random from the upper half of its bound, so that many clients losing one server
 * do not come back in step.
 */
public record WatchTiming(Duration idleTimeout, Duration initialBackoff, Duration maxBackoff) {
  /** The wait before attempt number {@code failures + 1}, after {@code failures} (at least 1) in a row. */
  public long backoffNanos(int failures) {
    long initial = initialBackoff.toNanos();
    long max = maxBackoff.toNanos();
    int doublings = Math.min(Math.max(failures, 1) - 1, 40);
    long ceiling = initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
    return jittered(ceiling);
  }

  /** The wait after a failure that will not pass soon (refused credentials): the longest. */
  public long maxBackoffNanos() {
    return jittered(maxBackoff.toNanos());
  }

  private static long jittered(long ceiling) {
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }
}
