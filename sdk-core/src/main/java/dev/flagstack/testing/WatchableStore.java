package dev.flagstack.testing;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link FlagStore} that reads through another store and is a {@link FlagChangeSource} the test drives:
 * {@link #announceChanged} and {@link #announceEverythingChanged()} deliver notices at once, on the calling
 * thread, to every open watch. Closing it does not close the store it reads through. Thread-safe.
 */
public final class WatchableStore implements FlagStore, FlagChangeSource {
  private final FlagStore reads;
  private final List<FlagChangeListener> watchers = new CopyOnWriteArrayList<>();

  /** A change source in front of {@code reads}, with its name and call timeout. */
  public WatchableStore(FlagStore reads) {
    this.reads = Objects.requireNonNull(reads, "reads");
  }

  @Override
  public String name() {
    return reads.name();
  }

  @Override
  public Duration callTimeout() {
    return reads.callTimeout();
  }

  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    return reads.getFlags(entity, flags);
  }

  @Override
  public AutoCloseable watchChanges(FlagChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    watchers.add(listener);
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        watchers.remove(listener);
      }
    };
  }

  /** Watches open now. */
  public int watchers() {
    return watchers.size();
  }

  /** Tells every watcher that {@code flags} changed. */
  public void announceChanged(String... flags) {
    Set<String> changed = Set.of(flags);
    for (FlagChangeListener w : watchers) {
      w.flagsChanged(changed);
    }
  }

  /** Tells every watcher that anything may have changed. */
  public void announceEverythingChanged() {
    for (FlagChangeListener w : watchers) {
      w.everythingChanged();
    }
  }

  @Override
  public String toString() {
    return "WatchableStore{" + reads.name() + ", watchers=" + watchers.size() + '}';
  }
}
