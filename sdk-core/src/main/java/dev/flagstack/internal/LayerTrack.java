package dev.flagstack.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagSource;
import dev.flagstack.LayerStatus;
import dev.flagstack.spi.LayerHealth;
import dev.flagstack.spi.StoreException;
import java.time.Instant;

/**
 * What the client knows of one layer's state, fed by the places that call the layer: its breaker
 * ({@link LayerBreaker}) or the secondary's permit guard. Reads are volatile; every change goes through
 * {@link StatusTracker}, which holds its lock while it changes the fields and tells the listeners.
 *
 * <p>On a call that changes nothing (an answer from a layer that was not failing and counts as connected),
 * {@link #callEnded} reads two volatile fields and returns: no lock, no clock, no allocation.
 */
public final class LayerTrack {
  final StatusTracker tracker;
  final FlagSource role;
  final String name;
  final LayerHealth health;
  final boolean hasBreaker;
  /** Set once a breaker took this track for its own. */
  boolean claimed;
  volatile BreakerState breaker;
  volatile boolean connected = true;
  volatile boolean failing;
  volatile String lastFailure;
  volatile long lastFailureAtMillis;
  /** The listener this client gave the layer, removed on close; null for a layer without {@link LayerHealth}. */
  final Runnable connectionListener;

  LayerTrack(StatusTracker tracker, FlagSource role, String name, Object layer, boolean hasBreaker) {
    this.tracker = tracker;
    this.role = role;
    this.name = name;
    this.health = layer instanceof LayerHealth ? (LayerHealth) layer : null;
    this.hasBreaker = hasBreaker;
    this.breaker = hasBreaker ? BreakerState.CLOSED : null;
    this.connectionListener = health == null ? null : () -> tracker.connectionMayHaveChanged(this);
  }

  /**
   * A call to the layer ended: {@code error} is null for an answer. A transient error is a failure; a
   * refusal (a non-transient error) is an answer.
   */
  public void callEnded(Throwable error) {
    if (error != null && StoreException.isTransient(error)) {
      tracker.failed(this, error);
    } else if (failing || !connected) {
      tracker.answered(this);
    }
  }

  /** The layer's breaker moved to {@code to}. */
  public void breakerChanged(BreakerState to) {
    if (breaker != to) {
      tracker.breakerChanged(this, to);
    }
  }

  LayerStatus view() {
    LayerStatus.Builder b = LayerStatus.builder(role, name).connected(connected).failing(failing);
    BreakerState state = breaker;
    if (state != null) {
      b.breakerState(state);
    }
    String failure = lastFailure;
    if (failure != null) {
      b.lastFailure(failure, Instant.ofEpochMilli(lastFailureAtMillis));
    }
    return b.build();
  }
}
