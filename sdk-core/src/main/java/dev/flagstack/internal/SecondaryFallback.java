package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.LayerFailure;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary store, behind a concurrency bound and a short-lived cache of its answers (and
 * not-founds), which absorbs repeated reads while the primary is in trouble.
 */
final class SecondaryFallback {
  private static final Logger log = LoggerFactory.getLogger(SecondaryFallback.class);
  private static final Object NOT_FOUND = new Object();

  /** Where a read's answers go, flag by flag. */
  interface Sink {
    void served(String flag, FlagValue value);

    void notFound(String flag);

    void refused(String flag, FlagException error);

    void failed(LayerFailure failure);
  }

  private final FlagStore store;
  private final String name;
  private final Duration timeout;
  private final int maxConcurrency;
  private final Semaphore permits;
  private final Cache<FlagKey, Object> recent;
  private final GuardedCall guarded;
  private final SafeListener listener;

  SecondaryFallback(EngineSettings settings, Ticker ticker, GuardedCall guarded, SafeListener listener) {
    this.store = settings.secondary();
    this.name = store.name();
    this.timeout = settings.secondaryTimeout();
    this.maxConcurrency = settings.secondaryMaxConcurrency();
    this.permits = new Semaphore(maxConcurrency);
    this.recent = Caffeine.newBuilder()
        .maximumSize(settings.secondaryCacheMaxEntries())
        .expireAfterWrite(settings.secondaryCacheTtl())
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
    this.guarded = guarded;
    this.listener = listener;
  }

  String name() {
    return name;
  }

  /** Answers what it can of {@code flags} into {@code sink}; the future never fails. */
  CompletableFuture<Void> read(String entity, Set<String> flags, Sink sink) {
    Set<String> asking = new HashSet<>();
    for (String flag : flags) {
      Object cached = recent.getIfPresent(FlagKey.of(entity, flag));
      if (cached == NOT_FOUND) {
        sink.notFound(flag);
      } else if (cached != null) {
        sink.served(flag, (FlagValue) cached);
      } else {
        asking.add(flag);
      }
    }
    if (asking.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!permits.tryAcquire()) {
      String why = "busy: " + maxConcurrency + " calls already in flight";
      sink.failed(new LayerFailure(name, FlagSource.SECONDARY, why));
      listener.layerFailed(name, FlagSource.SECONDARY, StoreException.transientFailure(name + " is " + why, null));
      return CompletableFuture.completedFuture(null);
    }
    Set<String> batch = Set.copyOf(asking);
    GuardedCall.Guard permit = new GuardedCall.Guard() {
      @Override
      public void onOutcome(long nanos, Throwable error) {
        permits.release();
      }
    };
    return guarded.call(name, timeout, permit, () -> store.getFlags(entity, batch)).handle((found, error) -> {
      Throwable e = error != null ? error
          : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
      if (e != null) {
        listener.layerFailed(name, FlagSource.SECONDARY, e);
        if (!StoreException.isTransient(e)) {
          FlagException toCaller = Load.callerError(e);
          batch.forEach(flag -> sink.refused(flag, toCaller));
        } else {
          sink.failed(new LayerFailure(name, FlagSource.SECONDARY, LayerBreaker.describe(e)));
          log.debug("secondary store '{}' failed: {}", name, LayerBreaker.describe(e));
        }
        return null;
      }
      for (String flag : batch) {
        FlagValue value = found.get(flag);
        FlagKey key = FlagKey.of(entity, flag);
        if (value != null) {
          recent.put(key, value);
          sink.served(flag, value);
        } else {
          recent.put(key, NOT_FOUND);
          sink.notFound(flag);
        }
      }
      return null;
    });
  }

  void forget(String entity, String flag) {
    recent.invalidate(FlagKey.of(entity, flag));
  }

  void forgetAll() {
    recent.invalidateAll();
  }
}
