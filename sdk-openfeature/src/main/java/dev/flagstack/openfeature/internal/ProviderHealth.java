package dev.flagstack.openfeature.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import java.time.Duration;

/**
 * Turns a client's events into the provider state OpenFeature knows: ERROR while reads end with no layer
 * answering, else STALE while the primary's breaker is not closed, else READY. Called on the read path,
 * so it allocates nothing and takes no lock; {@link #onChange} runs only when an input flips.
 */
public final class ProviderHealth extends FlagEventListener {
  /** The provider states this health maps to. */
  public enum State { READY, STALE, ERROR }

  private volatile boolean primaryTroubled;
  private volatile boolean unavailable;
  private volatile String primaryLayer = "primary";
  private volatile Duration openFor;
  private volatile Runnable onChange = () -> {};
  private volatile java.util.function.Consumer<java.util.Set<String>> onFlagsChanged = flags -> {};

  /** Runs {@code action} (which must not block) each time an input of {@link #state()} changes. */
  public void onChange(Runnable action) {
    this.onChange = action;
  }

  /** Runs {@code action} (which must not block) with the flags the client reports changed; empty: all. */
  public void onFlagsChanged(java.util.function.Consumer<java.util.Set<String>> action) {
    this.onFlagsChanged = action;
  }

  @Override
  public void flagsChanged(java.util.Set<String> flags) {
    onFlagsChanged.accept(flags);
  }

  /** The state the provider should be in now. */
  public State state() {
    if (unavailable) {
      return State.ERROR;
    }
    return primaryTroubled ? State.STALE : State.READY;
  }

  /** One line saying why the provider is in {@code state}, for the event's message. */
  public String describe(State state) {
    switch (state) {
      case ERROR:
        return "every Flagstack layer failed: reads are serving the caller's default";
      case STALE:
        Duration d = openFor;
        return "primary store '" + primaryLayer + "' circuit breaker is not closed"
            + (d == null ? "" : " (open for " + d.toMillis() + " ms)")
            + ": values come from caches, the secondary store or last-known-good";
      default:
        return "primary store '" + primaryLayer + "' is answering";
    }
  }

  @Override
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    if (source == FlagSource.PRIMARY || source == FlagSource.SECONDARY) {
      // A store answered: whatever happened before, something can answer again.
      if (unavailable) {
        unavailable = false;
        onChange.run();
      }
    } else if (source == FlagSource.DEFAULT && errorKind == FlagErrorKind.UNAVAILABLE && !unavailable) {
      unavailable = true;
      onChange.run();
    }
  }

  @Override
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    if (role != FlagSource.PRIMARY) {
      return;
    }
    this.primaryLayer = layer;
    this.openFor = openFor;
    this.primaryTroubled = to != BreakerState.CLOSED;
    if (to == BreakerState.CLOSED) {
      // The probe call succeeded: the primary answers again.
      unavailable = false;
    }
    onChange.run();
  }
}
