package dev.flagstack.store.rest.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Remembers until when the server asked for no calls (HTTP 429 with Retry-After), by an injectable clock. */
public final class RateLimitGate {
  private final Clock clock;
  private final AtomicLong notBeforeMillis = new AtomicLong(Long.MIN_VALUE);

  public RateLimitGate(Clock clock) {
    this.clock = clock;
  }

  /** The instant calls may resume, or null when calls are allowed now. */
  public Instant closedUntil() {
    long until = notBeforeMillis.get();
    return clock.millis() < until ? Instant.ofEpochMilli(until) : null;
  }

  /** The clock's now. */
  public Instant now() {
    return clock.instant();
  }

  /** Allows no call before {@code until}; returns whether calls were allowed until now (a new pause). */
  public boolean closeUntil(Instant until) {
    long now = clock.millis();
    long previous = notBeforeMillis.getAndAccumulate(until.toEpochMilli(), Math::max);
    return previous <= now;
  }
}
