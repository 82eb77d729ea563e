package dev.flagstack.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.ClientStatus;
import dev.flagstack.FlagSource;
import dev.flagstack.LayerStatus;
import dev.flagstack.StatusListener;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of each layer of one client, behind {@code FlagClient.status()}, and the status listeners.
 * Every change happens under this object's lock: the fields move, and if the layer's breaker state,
 * connection or availability moved, the listeners hear of it before the lock is released, so they see
 * changes one at a time and in order. A failure's description is {@link LayerBreaker#describe}: the class
 * name and the provider's message, which providers keep free of secrets.
 */
public final class StatusTracker {
  private static final Logger log = LoggerFactory.getLogger(StatusTracker.class);

  private final Clock clock;
  private final LayerTrack[] layers;
  private final LayerTrack secondary;
  private final List<StatusListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile boolean closed;

  /** Tracks the layers of {@code settings}; asks and watches those that report their connection. */
  public StatusTracker(EngineSettings settings) {
    this.clock = settings.clock();
    List<LayerTrack> all = new ArrayList<>();
    for (FlagCache cache : settings.caches()) {
      all.add(new LayerTrack(this, FlagSource.CACHE, cache.name(), cache, !(cache instanceof LocalFlagCache)));
    }
    all.add(new LayerTrack(this, FlagSource.PRIMARY, settings.primary().name(), settings.primary(), true));
    this.secondary = settings.secondary() == null ? null
        : new LayerTrack(this, FlagSource.SECONDARY, settings.secondary().name(), settings.secondary(), false);
    if (secondary != null) {
      all.add(secondary);
    }
    this.layers = all.toArray(new LayerTrack[0]);
    for (LayerTrack layer : layers) {
      if (layer.health != null) {
        layer.connected = askConnected(layer);
        try {
          layer.health.addConnectionListener(layer.connectionListener);
        } catch (RuntimeException e) {
          log.warn("{} '{}': adding a connection listener failed: {}", roleName(layer), layer.name,
              LayerBreaker.describe(e));
        }
      }
    }
  }

  /**
   * The track of the first layer playing {@code role} named {@code name} that no breaker took yet, for that
   * layer's breaker; a detached track if there is none (its reports then go nowhere visible).
   */
  synchronized LayerTrack claim(FlagSource role, String name) {
    for (LayerTrack layer : layers) {
      if (layer.role == role && layer.hasBreaker && !layer.claimed && layer.name.equals(name)) {
        layer.claimed = true;
        return layer;
      }
    }
    return new LayerTrack(this, role, name, null, true);
  }

  /** The secondary store's track, or null without a secondary. */
  public LayerTrack secondary() {
    return secondary;
  }

  /** Each layer's state now; asks each layer that reports its connection first (a change is heard). */
  public synchronized ClientStatus snapshot() {
    for (LayerTrack layer : layers) {
      if (layer.health != null) {
        connectionMayHaveChanged(layer);
      }
    }
    return status();
  }

  public void add(StatusListener listener) {
    listeners.add(listener);
  }

  public void remove(StatusListener listener) {
    listeners.remove(listener);
  }

  /** Drops the listeners and gives the layers' connection listeners back. Idempotent. */
  public void close() {
    closed = true;
    listeners.clear();
    for (LayerTrack layer : layers) {
      if (layer.health != null) {
        try {
          layer.health.removeConnectionListener(layer.connectionListener);
        } catch (RuntimeException e) {
          log.debug("{} '{}': removing a connection listener failed: {}", roleName(layer), layer.name,
              LayerBreaker.describe(e));
        }
      }
    }
  }

  synchronized void failed(LayerTrack layer, Throwable error) {
    LayerStatus before = layer.view();
    layer.lastFailure = LayerBreaker.describe(error);
    layer.lastFailureAtMillis = clock.millis();
    layer.failing = true;
    if (layer.health != null) {
      layer.connected = askConnected(layer);
    }
    changed(layer, before);
  }

  synchronized void answered(LayerTrack layer) {
    LayerStatus before = layer.view();
    layer.failing = false;
    if (layer.health != null) {
      layer.connected = askConnected(layer);
    }
    changed(layer, before);
  }

  synchronized void breakerChanged(LayerTrack layer, BreakerState to) {
    LayerStatus before = layer.view();
    layer.breaker = to;
    changed(layer, before);
  }

  synchronized void connectionMayHaveChanged(LayerTrack layer) {
    boolean now = askConnected(layer);
    if (now != layer.connected) {
      LayerStatus before = layer.view();
      layer.connected = now;
      changed(layer, before);
    }
  }

  private ClientStatus status() {
    List<LayerStatus> views = new ArrayList<>(layers.length);
    for (LayerTrack layer : layers) {
      views.add(layer.view());
    }
    return ClientStatus.of(clock.instant(), views);
  }

  /** Tells the listeners if what they hear of (breaker, connection, availability) moved. Under the lock. */
  private void changed(LayerTrack layer, LayerStatus before) {
    if (closed || listeners.isEmpty()) {
      return;
    }
    LayerStatus after = layer.view();
    if (before.breakerState() == after.breakerState() && before.connected() == after.connected()
        && before.available() == after.available()) {
      return;
    }
    ClientStatus status = status();
    for (StatusListener listener : listeners) {
      try {
        listener.statusChanged(before, after, status);
      } catch (Throwable e) {
        if (warned.compareAndSet(false, true)) {
          log.warn("status listener threw; further status listener errors are logged at DEBUG", e);
        } else {
          log.debug("status listener threw", e);
        }
      }
    }
  }

  private static boolean askConnected(LayerTrack layer) {
    try {
      return layer.health.isConnected();
    } catch (RuntimeException e) {
      log.debug("{} '{}': isConnected() threw; counting it as disconnected: {}", roleName(layer), layer.name,
          LayerBreaker.describe(e));
      return false;
    }
  }

  private static String roleName(LayerTrack layer) {
    return layer.role == FlagSource.CACHE ? "cache tier" : layer.role == FlagSource.PRIMARY
        ? "primary store" : "secondary store";
  }
}
