package dev.flagstack.internal;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's subscriptions to the change notices of its stores: the primary and the secondary, each
 * if it is a {@link FlagChangeSource}. A notice is stamped with the client's clock and handed to
 * {@link ResolutionEngine#flagsChanged} / {@link ResolutionEngine#everythingChanged} on the source's
 * thread; nothing a notice causes is ever thrown back into the source.
 */
public final class ChangeWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeWatch.class);
  /** A notice naming more flags than this is handled as "everything changed": one step, not thousands. */
  static final int MAX_FLAGS_PER_NOTICE = 10_000;

  private final ResolutionEngine engine;
  private final Clock clock;
  private final List<AutoCloseable> handles = new ArrayList<>(2);
  private volatile boolean closed;

  private ChangeWatch(ResolutionEngine engine, Clock clock) {
    this.engine = engine;
    this.clock = clock;
  }

  /**
   * Subscribes to each store of {@code settings} that is a change source, unless watching is off. A
   * source whose {@code watchChanges} throws is logged and left out: the client then relies on TTLs.
   */
  public static ChangeWatch start(EngineSettings settings, ResolutionEngine engine) {
    ChangeWatch watch = new ChangeWatch(engine, settings.clock());
    if (settings.watchChanges()) {
      watch.subscribe(settings.primary());
      watch.subscribe(settings.secondary());
    }
    return watch;
  }

  private void subscribe(FlagStore store) {
    if (!(store instanceof FlagChangeSource)) {
      return;
    }
    String name = store.name();
    try {
      AutoCloseable handle = ((FlagChangeSource) store).watchChanges(new Listener(name));
      if (handle != null) {
        handles.add(handle);
      }
      log.debug("watching store '{}' for flag changes", name);
    } catch (RuntimeException e) {
      log.warn("store '{}' failed to start watching for flag changes; cached values of its flags live "
          + "until their TTL: {}", name, LayerBreaker.describe(e));
    }
  }

  /** How many subscriptions are open. */
  public int subscriptions() {
    return closed ? 0 : handles.size();
  }

  /** Closes every subscription (a handle that throws is logged); idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable handle : handles) {
      try {
        handle.close();
      } catch (Exception e) {
        log.warn("closing a flag change subscription failed: {}", LayerBreaker.describe(e));
      }
    }
  }

  /** One source's listener: stamps each notice and never throws back. */
  private final class Listener implements FlagChangeListener {
    private final String store;

    Listener(String store) {
      this.store = store;
    }

    @Override
    public void flagsChanged(Set<String> flags) {
      try {
        if (closed || flags == null) {
          return;
        }
        if (flags.size() > MAX_FLAGS_PER_NOTICE) {
          engine.everythingChanged(clock.millis());
          return;
        }
        Set<String> changed = new HashSet<>();
        for (String flag : flags) {
          // An id no read accepts is in no cache.
          if (flag != null && !flag.isEmpty() && flag.length() <= RequestValidator.MAX_ID_LENGTH) {
            changed.add(flag);
          }
        }
        if (!changed.isEmpty()) {
          engine.flagsChanged(Set.copyOf(changed), clock.millis());
        }
      } catch (Throwable e) {
        log.warn("handling a flag change notice from store '{}' failed: {}", store, LayerBreaker.describe(e));
      }
    }

    @Override
    public void everythingChanged() {
      try {
        if (!closed) {
          engine.everythingChanged(clock.millis());
        }
      } catch (Throwable e) {
        log.warn("handling an everything-changed notice from store '{}' failed: {}", store,
            LayerBreaker.describe(e));
      }
    }
  }
}
