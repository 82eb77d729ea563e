package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Caffeine tickers from the {@link Clock} a client or tier was given, so tests can move time. */
public final class Tickers {
  private Tickers() {}

  /** The system ticker for a system clock (monotonic, nanosecond), else one that reads {@code clock}. */
  public static Ticker of(Clock clock) {
    if (clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone())) {
      return Ticker.systemTicker();
    }
    return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }
}
