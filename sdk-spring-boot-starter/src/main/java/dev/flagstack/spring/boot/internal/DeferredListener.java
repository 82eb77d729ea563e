package dev.flagstack.spring.boot.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A listener installed when the client is built and pointed at its real listener once that can be made
 * (see {@link ClientListenerFactory}). Until then events go nowhere; a client never reads before the
 * auto-configuration hands it out, so none are lost. One volatile read per event, no allocation.
 */
public final class DeferredListener extends FlagEventListener {
  private volatile FlagEventListener delegate = NONE;

  /** Sends every later event to {@code listener}. */
  public void bind(FlagEventListener listener) {
    this.delegate = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    delegate.flagResolved(entity, flag, source, layer, errorKind, nanos);
  }

  @Override
  public void layerFailed(String layer, FlagSource role, Throwable error) {
    delegate.layerFailed(layer, role, error);
  }

  @Override
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    delegate.breakerStateChanged(layer, role, from, to, openFor);
  }

  @Override
  public void flagsChanged(Set<String> flags) {
    delegate.flagsChanged(flags);
  }

  @Override
  public String toString() {
    return "DeferredListener{" + delegate + '}';
  }
}
