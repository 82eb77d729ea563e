package dev.flagstack.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the user's listener and keeps its exceptions away from the read. */
public final class SafeListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final FlagEventListener delegate;
  private final StatusTracker status;
  private final boolean enabled;
  private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();

  /** {@code status} is the client's status tracker, which the layers' breakers report to through here. */
  public SafeListener(FlagEventListener delegate, StatusTracker status) {
    this.delegate = delegate;
    this.status = status;
    this.enabled = delegate != FlagEventListener.NONE;
  }

  public StatusTracker status() {
    return status;
  }

  /** Whether anyone listens; when not, the hot path skips even reading the clock. */
  public boolean enabled() {
    return enabled;
  }

  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    if (!enabled) {
      return;
    }
    try {
      delegate.flagResolved(entity, flag, source, layer, errorKind, nanos);
    } catch (Throwable e) {
      complain("flagResolved", e);
    }
  }

  public void layerFailed(String layer, FlagSource role, Throwable error) {
    if (!enabled) {
      return;
    }
    try {
      delegate.layerFailed(layer, role, error);
    } catch (Throwable e) {
      complain("layerFailed", e);
    }
  }

  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    if (!enabled) {
      return;
    }
    try {
      delegate.breakerStateChanged(layer, role, from, to, openFor);
    } catch (Throwable e) {
      complain("breakerStateChanged", e);
    }
  }

  public void flagsChanged(java.util.Set<String> flags) {
    if (!enabled) {
      return;
    }
    try {
      delegate.flagsChanged(flags);
    } catch (Throwable e) {
      complain("flagsChanged", e);
    }
  }

  /** A listener that throws on every read must not flood the log: the first time at WARN, then DEBUG. */
  private void complain(String method, Throwable e) {
    if (warned.compareAndSet(false, true)) {
      log.warn("event listener threw from {}; further listener errors are logged at DEBUG", method, e);
    } else {
      log.debug("event listener threw from {}", method, e);
    }
  }
}
