package dev.flagstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fan-out behind {@link FlagEventListener#compose}: one failing listener never starves the others. */
final class ComposedEventListener extends FlagEventListener {
  private static final Logger log = LoggerFactory.getLogger(FlagEventListener.class);

  private final FlagEventListener[] listeners;
  private final AtomicBoolean[] warned;

  private ComposedEventListener(FlagEventListener[] listeners) {
    this.listeners = listeners;
    this.warned = new AtomicBoolean[listeners.length];
    for (int i = 0; i < warned.length; i++) {
      warned[i] = new AtomicBoolean();
    }
  }

  static FlagEventListener of(FlagEventListener... listeners) {
    Objects.requireNonNull(listeners, "listeners");
    List<FlagEventListener> kept = new ArrayList<>(listeners.length);
    for (int i = 0; i < listeners.length; i++) {
      FlagEventListener l = Objects.requireNonNull(listeners[i], "listeners[" + i + "]");
      if (l != NONE) {
        kept.add(l);
      }
    }
    if (kept.isEmpty()) {
      return NONE;
    }
    if (kept.size() == 1) {
      return kept.get(0);
    }
    return new ComposedEventListener(kept.toArray(new FlagEventListener[0]));
  }

  @Override
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].flagResolved(entity, flag, source, layer, errorKind, nanos);
      } catch (Throwable e) {
        complain(i, "flagResolved", e);
      }
    }
  }

  @Override
  public void layerFailed(String layer, FlagSource role, Throwable error) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].layerFailed(layer, role, error);
      } catch (Throwable e) {
        complain(i, "layerFailed", e);
      }
    }
  }

  @Override
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].breakerStateChanged(layer, role, from, to, openFor);
      } catch (Throwable e) {
        complain(i, "breakerStateChanged", e);
      }
    }
  }

  @Override
  public void flagsChanged(java.util.Set<String> flags) {
    for (int i = 0; i < listeners.length; i++) {
      try {
        listeners[i].flagsChanged(flags);
      } catch (Throwable e) {
        complain(i, "flagsChanged", e);
      }
    }
  }

  /** A listener that throws on every read must not flood the log: its first failure at WARN, then DEBUG. */
  private void complain(int index, String method, Throwable e) {
    if (warned[index].compareAndSet(false, true)) {
      log.warn("event listener {} threw from {}; its further errors are logged at DEBUG",
          listeners[index].getClass().getName(), method, e);
    } else {
      log.debug("event listener {} threw from {}", listeners[index].getClass().getName(), method, e);
    }
  }

  @Override
  public String toString() {
    return "FlagEventListener.compose" + java.util.Arrays.toString(listeners);
  }
}
