package dev.flagstack.examples.drill;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An event listener that writes down each breaker change of one client, as a trail like {@code P:C→O R:C}
 * (P the primary, R the remote tier; C closed, O open, H half-open), and the open period of the primary's
 * latest trip.
 */
public final class BreakerTrail extends FlagEventListener {
  private final StringBuilder primary = new StringBuilder();
  private final StringBuilder remote = new StringBuilder();
  private final AtomicLong lastPrimaryOpenNanos = new AtomicLong();
  private final AtomicLong longestOpenNanos = new AtomicLong();
  private volatile long primaryClosedAtNanos;
  private volatile BreakerState primaryState = BreakerState.CLOSED;

  @Override
  public synchronized void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    StringBuilder trail = role == FlagSource.PRIMARY ? primary : remote;
    if (trail.length() == 0) {
      trail.append(letter(from));
    }
    trail.append('→').append(letter(to));
    if (openFor != null) {
      longestOpenNanos.accumulateAndGet(openFor.toNanos(), Math::max);
    }
    if (role == FlagSource.PRIMARY) {
      primaryState = to;
      if (openFor != null) {
        lastPrimaryOpenNanos.set(openFor.toNanos());
      }
      if (to == BreakerState.CLOSED) {
        primaryClosedAtNanos = System.nanoTime();
      }
    }
  }

  /**
   * The trail since the last call, starting from the states given (the client's current ones when nothing
   * changed), and starts a new one.
   */
  public synchronized String drain(BreakerState primaryNow, BreakerState remoteNow) {
    String p = primary.length() == 0 ? String.valueOf(letter(primaryNow)) : primary.toString();
    String r = remote.length() == 0 ? String.valueOf(letter(remoteNow)) : remote.toString();
    primary.setLength(0);
    remote.setLength(0);
    return "P:" + p + " R:" + r;
  }

  /** The primary breaker's state as last reported (CLOSED before any report). */
  public BreakerState primaryState() {
    return primaryState;
  }

  /** When the primary breaker last closed ({@link System#nanoTime()}), or 0. */
  public long primaryClosedAtNanos() {
    return primaryClosedAtNanos;
  }

  /** The open period of the primary's latest trip, or zero. */
  public Duration lastPrimaryOpenPeriod() {
    return Duration.ofNanos(lastPrimaryOpenNanos.get());
  }

  /** The longest open period any breaker of the client was given so far, or zero. */
  public Duration longestOpenPeriod() {
    return Duration.ofNanos(longestOpenNanos.get());
  }

  private static char letter(BreakerState state) {
    if (state == null) {
      return '-';
    }
    switch (state) {
      case CLOSED:
        return 'C';
      case OPEN:
        return 'O';
      default:
        return 'H';
    }
  }
}
