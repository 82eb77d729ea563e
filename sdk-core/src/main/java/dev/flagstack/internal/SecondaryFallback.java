package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.LayerFailure;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary store, protected without refusing work it can do.
 *
 * <ul>
 *   <li><b>Bound</b>: at most {@code secondaryMaxConcurrency} calls run at the store, counted until the
 *       store's own call ends (the caller is still answered at the call timeout). A read that finds every
 *       permit taken waits for one, at most the call timeout, without parking a thread
 *       ({@link SecondaryPermits}). A call that never ends gives its permit back after
 *       {@value GuardedCall#BACKSTOP_TIMEOUTS} timeouts, with a warning logged once.
 *   <li><b>Definitions</b>: a {@link FlagDefinitionStore} is asked for definitions, cached per flag (and
 *       not-found) for the secondary cache TTL and evaluated here with {@link FlagDefinition#evaluate},
 *       so one query serves every entity; concurrent loads of one flag's definition are shared across
 *       entities.
 *   <li><b>Values</b>: any other store is asked per entity; its answers and not-founds are cached per
 *       (entity, flag) for the TTL.
 * </ul>
 * An invalidation drops the entries and detaches in-flight definition loads; {@link Generations} keep a
 * load that began before it from filling the cache.
 */
final class SecondaryFallback {
  private static final Logger log = LoggerFactory.getLogger(SecondaryFallback.class);
  private static final Object NOT_FOUND = new Object();
  /** The entity under which a flag's definition is counted in {@link #generations}. */
  private static final String ANY_ENTITY = "";

  /** Where a read's answers go, flag by flag. */
  interface Sink {
    void served(String flag, FlagValue value);

    void notFound(String flag);

    void refused(String flag, FlagException error);

    void failed(LayerFailure failure);
  }

  private final FlagStore store;
  private final FlagDefinitionStore definitionStore;
  private final String name;
  private final Duration timeout;
  private final int maxConcurrency;
  private final SecondaryPermits permits;
  private final Cache<FlagKey, Object> values;
  private final Cache<String, Object> definitions;
  private final ConcurrentHashMap<String, CompletableFuture<Object>> loading = new ConcurrentHashMap<>();
  private final Generations generations = new Generations();
  private final AtomicBoolean backstopWarned = new AtomicBoolean();
  private final GuardedCall guarded;
  private final SafeListener listener;

  SecondaryFallback(EngineSettings settings, Ticker ticker, GuardedCall guarded, ClientThreads threads,
      SafeListener listener) {
    this.store = settings.secondary();
    this.definitionStore = store instanceof FlagDefinitionStore ? (FlagDefinitionStore) store : null;
    this.name = store.name();
    this.timeout = settings.secondaryTimeout();
    this.maxConcurrency = settings.secondaryMaxConcurrency();
    this.permits = new SecondaryPermits(maxConcurrency, threads);
    this.values = Caffeine.newBuilder()
        .maximumSize(settings.secondaryCacheMaxEntries())
        .expireAfterWrite(settings.secondaryCacheTtl())
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
    this.definitions = Caffeine.newBuilder()
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
    return definitionStore != null ? readDefinitions(entity, flags, sink) : readValues(entity, flags, sink);
  }

  void forget(String entity, String flag) {
    generations.bump(entity, flag);
    generations.bump(ANY_ENTITY, flag);
    values.invalidate(FlagKey.of(entity, flag));
    definitions.invalidate(flag);
    loading.remove(flag);
  }

  /** Forgets {@code flags} for every entity: their definitions, their values, their loads in flight. */
  void forgetFlags(Set<String> flags) {
    for (String flag : flags) {
      generations.bumpFlag(flag);
    }
    values.asMap().keySet().removeIf(key -> flags.contains(key.flag()));
    for (String flag : flags) {
      definitions.invalidate(flag);
      loading.remove(flag);
    }
  }

  void forgetAll() {
    generations.bumpAll();
    values.invalidateAll();
    definitions.invalidateAll();
    loading.clear();
  }

  /** Calls the store holding a permit, which goes back when the store's own stage ends. */
  private <T> CompletableFuture<T> callWithPermit(Supplier<? extends CompletionStage<T>> op) {
    Supplier<Throwable> busy = () -> StoreException.transientFailure(name + " is busy: " + maxConcurrency
        + " calls already in flight for " + timeout.toMillis() + " ms", null);
    GuardedCall.Guard permit = new GuardedCall.Guard() {
      @Override
      public void onOutcome(long nanos, Throwable error) {
        listener.status().secondary().callEnded(error);
      }

      @Override
      public void onSettled() {
        permits.release();
      }

      @Override
      public AtomicBoolean backstopWarned() {
        return backstopWarned;
      }
    };
    return permits.acquire(timeout, busy).thenCompose(v -> guarded.call(name, timeout, permit, op));
  }

  private CompletableFuture<Void> readValues(String entity, Set<String> flags, Sink sink) {
    Map<String, Long> seen = new HashMap<>();
    for (String flag : flags) {
      Object cached = values.getIfPresent(FlagKey.of(entity, flag));
      if (cached == null) {
        seen.put(flag, generations.of(entity, flag));
      } else {
        deliver(entity, flag, cached, sink);
      }
    }
    if (seen.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Set<String> batch = Set.copyOf(seen.keySet());
    return callWithPermit(() -> store.getFlags(entity, batch)).handle((found, error) -> {
      Throwable e = error != null ? StoreException.unwrap(error)
          : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
      if (e != null) {
        failed(e, batch, sink);
        return null;
      }
      for (String flag : batch) {
        FlagValue value = found.get(flag);
        Object answer = value != null ? value : NOT_FOUND;
        FlagKey key = FlagKey.of(entity, flag);
        if (generations.unchanged(entity, flag, seen.get(flag))) {
          values.put(key, answer);
          if (!generations.unchanged(entity, flag, seen.get(flag))) {
            values.asMap().remove(key, answer);
          }
        }
        deliver(entity, flag, answer, sink);
      }
      return null;
    });
  }

  private CompletableFuture<Void> readDefinitions(String entity, Set<String> flags, Sink sink) {
    Map<String, CompletableFuture<Object>> waitFor = new HashMap<>();
    Map<String, CompletableFuture<Object>> owned = new HashMap<>();
    for (String flag : flags) {
      Object cached = definitions.getIfPresent(flag);
      if (cached != null) {
        deliver(entity, flag, cached, sink);
        continue;
      }
      CompletableFuture<Object> mine = new CompletableFuture<>();
      CompletableFuture<Object> existing = loading.putIfAbsent(flag, mine);
      if (existing != null && existing.isDone()) {
        loading.remove(flag, existing);
        existing = loading.putIfAbsent(flag, mine);
      }
      if (existing != null) {
        waitFor.put(flag, existing);
      } else {
        owned.put(flag, mine);
        waitFor.put(flag, mine);
      }
    }
    if (!owned.isEmpty()) {
      loadDefinitions(owned);
    }
    if (waitFor.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(waitFor.values().toArray(new CompletableFuture<?>[0])).handle((v, ignored) -> {
      Throwable transientError = null;
      for (Map.Entry<String, CompletableFuture<Object>> entry : waitFor.entrySet()) {
        CompletableFuture<Object> f = entry.getValue();
        if (!f.isCompletedExceptionally()) {
          deliver(entity, entry.getKey(), f.join(), sink);
          continue;
        }
        Throwable e = f.handle((x, err) -> StoreException.unwrap(err)).join();
        if (StoreException.isTransient(e)) {
          transientError = e;
        } else {
          sink.refused(entry.getKey(), Load.callerError(e));
          listener.layerFailed(name, FlagSource.SECONDARY, e);
        }
      }
      if (transientError != null) {
        failed(transientError, Set.of(), sink);
      }
      return null;
    });
  }

  /** One query for the definitions of {@code owned}; completes each flag's shared future. */
  private void loadDefinitions(Map<String, CompletableFuture<Object>> owned) {
    Map<String, Long> seen = new HashMap<>();
    owned.keySet().forEach(flag -> seen.put(flag, generations.of(ANY_ENTITY, flag)));
    Set<String> batch = Set.copyOf(owned.keySet());
    CompletableFuture<Map<String, FlagDefinition>> query;
    try {
      query = callWithPermit(() -> definitionStore.getDefinitions(batch));
    } catch (Throwable e) {
      query = CompletableFuture.failedFuture(e);
    }
    query.whenComplete((found, error) -> {
      Throwable e = error != null ? StoreException.unwrap(error)
          : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
      for (Map.Entry<String, CompletableFuture<Object>> entry : owned.entrySet()) {
        String flag = entry.getKey();
        CompletableFuture<Object> f = entry.getValue();
        loading.remove(flag, f);
        if (e != null) {
          f.completeExceptionally(e);
          continue;
        }
        Object answer = found.get(flag);
        if (answer == null) {
          answer = NOT_FOUND;
        } else if (!(answer instanceof FlagDefinition)) {
          f.completeExceptionally(StoreException.transientFailure(name + " returned no definition for " + flag, null));
          continue;
        }
        if (generations.unchanged(ANY_ENTITY, flag, seen.get(flag))) {
          definitions.put(flag, answer);
          if (!generations.unchanged(ANY_ENTITY, flag, seen.get(flag))) {
            definitions.asMap().remove(flag, answer);
          }
        }
        f.complete(answer);
      }
    });
  }

  private void deliver(String entity, String flag, Object answer, Sink sink) {
    if (answer == NOT_FOUND) {
      sink.notFound(flag);
    } else if (answer instanceof FlagDefinition) {
      sink.served(flag, ((FlagDefinition) answer).evaluate(entity));
    } else {
      sink.served(flag, (FlagValue) answer);
    }
  }

  private void failed(Throwable e, Set<String> flags, Sink sink) {
    listener.layerFailed(name, FlagSource.SECONDARY, e);
    if (!StoreException.isTransient(e)) {
      FlagException toCaller = Load.callerError(e);
      flags.forEach(flag -> sink.refused(flag, toCaller));
    } else {
      sink.failed(new LayerFailure(name, FlagSource.SECONDARY, LayerBreaker.describe(e)));
      log.debug("secondary store '{}' failed: {}", name, LayerBreaker.describe(e));
    }
  }
}
