package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagNotFoundException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagUnavailableException;
import dev.flagstack.FlagValue;
import dev.flagstack.InvalidFlagRequestException;
import dev.flagstack.LayerFailure;
import dev.flagstack.spi.CacheInvalidator;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LocalFlagCache;
import dev.flagstack.spi.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layered read: cache tiers, then the primary store behind its breaker, then the secondary store
 * behind a concurrency bound and a short-lived cache, then the last-known-good value.
 *
 * <p>Concurrent misses for one (entity, flag) share one in-flight load: the first caller registers a
 * future in a concurrent map (per-bin locking, no global lock) and the entry is removed as soon as the
 * load completes. Each load walks the layers strictly one after another, so its own state needs no
 * locking; completion of each stage publishes it to the next.
 */
public final class ResolutionEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResolutionEngine.class);
  private static final Object NOT_FOUND = new Object();

  private final Tier[] tiers;
  /** How many leading tiers are in-process; they are read synchronously before any coalescing. */
  private final int localPrefix;
  private final LocalFlagCache hotTier;
  private final FlagStore primary;
  private final LayerBreaker primaryBreaker;
  private final FlagStore secondary;
  private final Semaphore secondaryPermits;
  private final int secondaryMaxConcurrency;
  private final Cache<FlagKey, Object> secondaryRecent;
  private final Cache<FlagKey, Stale> lastKnownGood;
  private final SafeListener listener;
  private final ConcurrentHashMap<FlagKey, CompletableFuture<Resolution>> inFlight = new ConcurrentHashMap<>();
  private final RequestValidator validator;
  private volatile boolean closed;

  public ResolutionEngine(EngineConfig config) {
    this.listener = new SafeListener(config.listener());
    Clock clock = config.clock();
    List<FlagCache> caches = config.tiers();
    this.tiers = new Tier[caches.size()];
    int prefix = 0;
    boolean inPrefix = true;
    for (int i = 0; i < tiers.length; i++) {
      FlagCache cache = caches.get(i);
      LayerBreaker breaker = cache instanceof LocalFlagCache
          ? null
          : new LayerBreaker(cache.name(), FlagSource.CACHE, config.cacheBreaker(), clock, listener);
      tiers[i] = new Tier(cache, breaker);
      if (inPrefix && cache instanceof LocalFlagCache) {
        prefix++;
      } else {
        inPrefix = false;
      }
    }
    this.localPrefix = prefix;
    this.hotTier = prefix > 0 ? (LocalFlagCache) tiers[0].cache : null;
    this.primary = config.primary();
    this.primaryBreaker = new LayerBreaker(primary.name(), FlagSource.PRIMARY, config.primaryBreaker(), clock, listener);
    this.secondary = config.secondary();
    this.secondaryMaxConcurrency = config.secondaryMaxConcurrency();
    this.secondaryPermits = new Semaphore(secondaryMaxConcurrency);
    Ticker ticker = Tickers.of(clock);
    this.secondaryRecent = Caffeine.newBuilder()
        .maximumSize(config.secondaryCacheMaxEntries())
        .expireAfterWrite(config.secondaryCacheTtl())
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
    this.lastKnownGood = config.lastKnownGood()
        ? Caffeine.newBuilder()
            .maximumSize(config.lastKnownGoodMaxEntries())
            .expireAfterWrite(config.lastKnownGoodMaxAge())
            .ticker(ticker)
            .executor(Runnable::run)
            .build()
        : null;
    this.validator = new RequestValidator(config.maxBatchSize());
    for (int i = 0; i < tiers.length; i++) {
      tiers[i].cache.bind(new TiersAbove(i));
    }
  }

  /** The first tier when it is in-process: the synchronous hot path reads it directly. */
  public LocalFlagCache hotTier() {
    return hotTier;
  }

  public SafeListener listener() {
    return listener;
  }

  public RequestValidator validator() {
    return validator;
  }

  public boolean isClosed() {
    return closed;
  }

  public BreakerState primaryBreakerState() {
    return primaryBreaker.state();
  }

  /** The breaker state of the first remote tier named {@code name}, or null if there is none. */
  public BreakerState cacheBreakerState(String name) {
    for (Tier tier : tiers) {
      if (tier.breaker != null && tier.cache.name().equals(name)) {
        return tier.breaker.state();
      }
    }
    return null;
  }

  /**
   * Resolves already-validated {@code flags} for {@code entity}. The returned future never completes
   * exceptionally: failures are carried per flag in {@link Resolution#error()}.
   */
  public CompletableFuture<Map<String, Resolution>> resolve(String entity, Set<String> flags) {
    Map<String, Resolution> results = new LinkedHashMap<>();
    if (closed) {
      FlagException error = new FlagException(FlagErrorKind.UNAVAILABLE, "FlagClient is closed");
      for (String flag : flags) {
        results.put(flag, Resolution.failed(error));
      }
      return CompletableFuture.completedFuture(results);
    }
    Map<String, CompletableFuture<Resolution>> waiting = null;
    Map<String, CompletableFuture<Resolution>> owned = null;
    for (String flag : flags) {
      Resolution hit = readLocalPrefix(entity, flag);
      if (hit != null) {
        results.put(flag, hit);
        continue;
      }
      if (waiting == null) {
        waiting = new LinkedHashMap<>();
        owned = new LinkedHashMap<>();
      }
      FlagKey key = FlagKey.of(entity, flag);
      CompletableFuture<Resolution> mine = new CompletableFuture<>();
      CompletableFuture<Resolution> existing = inFlight.putIfAbsent(key, mine);
      if (existing != null && existing.isDone()) {
        // Its load has finished and is removing it; do not serve a result older than this read.
        inFlight.remove(key, existing);
        existing = inFlight.putIfAbsent(key, mine);
      }
      if (existing != null) {
        waiting.put(flag, existing);
      } else {
        // Safety net only: a load removes its entry before completing it (see Load#resolve).
        mine.whenComplete((r, e) -> inFlight.remove(key, mine));
        waiting.put(flag, mine);
        owned.put(flag, mine);
      }
    }
    if (waiting == null) {
      return CompletableFuture.completedFuture(results);
    }
    if (!owned.isEmpty()) {
      new Load(entity, owned).start();
    }
    Map<String, CompletableFuture<Resolution>> pending = waiting;
    return CompletableFuture.allOf(pending.values().toArray(new CompletableFuture<?>[0]))
        .handle((v, e) -> {
          for (Map.Entry<String, CompletableFuture<Resolution>> entry : pending.entrySet()) {
            results.put(entry.getKey(), entry.getValue().getNow(null));
          }
          return results;
        });
  }

  private Resolution readLocalPrefix(String entity, String flag) {
    for (int i = 0; i < localPrefix; i++) {
      LocalFlagCache local = tiers[i].local;
      FlagValue value = local.getIfPresent(entity, flag);
      if (value != null) {
        for (int j = 0; j < i; j++) {
          tiers[j].local.put(entity, flag, value);
        }
        return Resolution.served(value, FlagSource.CACHE, local.name());
      }
    }
    return null;
  }

  /** Drops one entry from every tier and from the secondary's short-lived cache. */
  public void invalidate(String entity, String flag) {
    for (Tier tier : tiers) {
      safeInvalidate(tier.cache, entity, flag);
    }
    secondaryRecent.invalidate(FlagKey.of(entity, flag));
  }

  /** Drops everything from every tier and from the secondary's short-lived cache. */
  public void invalidateAll() {
    for (Tier tier : tiers) {
      safeInvalidateAll(tier.cache);
    }
    secondaryRecent.invalidateAll();
  }

  private static void safeInvalidate(FlagCache cache, String entity, String flag) {
    try {
      cache.invalidate(entity, flag);
    } catch (RuntimeException e) {
      log.warn("cache tier '{}' failed to invalidate an entry: {}", cache.name(), LayerBreaker.describe(e));
    }
  }

  private static void safeInvalidateAll(FlagCache cache) {
    try {
      cache.invalidateAll();
    } catch (RuntimeException e) {
      log.warn("cache tier '{}' failed to invalidate: {}", cache.name(), LayerBreaker.describe(e));
    }
  }

  /** Ends every in-flight read with an error; the layers passed in stay open (they are the caller's). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    FlagException error = new FlagException(FlagErrorKind.UNAVAILABLE, "FlagClient is closed");
    for (Map.Entry<FlagKey, CompletableFuture<Resolution>> entry : inFlight.entrySet()) {
      inFlight.remove(entry.getKey(), entry.getValue());
      entry.getValue().complete(Resolution.failed(error));
    }
    secondaryRecent.invalidateAll();
    if (lastKnownGood != null) {
      lastKnownGood.invalidateAll();
    }
  }

  /** Writes {@code values} to tiers {@code 0 .. end-1}; fire-and-forget, failures logged. */
  private void writeToTiers(String entity, Map<String, FlagValue> values, int end) {
    if (values.isEmpty()) {
      return;
    }
    for (int i = 0; i < end; i++) {
      Tier tier = tiers[i];
      if (tier.local != null) {
        try {
          values.forEach((flag, value) -> tier.local.put(entity, flag, value));
        } catch (RuntimeException e) {
          log.warn("cache tier '{}' failed to store values: {}", tier.cache.name(), LayerBreaker.describe(e));
        }
        continue;
      }
      if (!tier.breaker.tryAcquire()) {
        continue;
      }
      long start = System.nanoTime();
      call(tier.cache.name(), () -> tier.cache.putAll(entity, values), tier.cache.timeBudget())
          .whenComplete((v, e) -> {
            long nanos = System.nanoTime() - start;
            if (e == null) {
              tier.breaker.onSuccess(nanos);
            } else {
              tier.breaker.onFailure(nanos, e);
              listener.layerFailed(tier.cache.name(), FlagSource.CACHE, StoreException.unwrap(e));
              log.debug("cache tier '{}' failed to store values: {}", tier.cache.name(),
                  LayerBreaker.describe(StoreException.unwrap(e)));
            }
          });
    }
  }

  private void remember(String entity, String flag, FlagValue value, String layer) {
    if (lastKnownGood != null) {
      lastKnownGood.put(FlagKey.of(entity, flag), new Stale(value, layer));
    }
  }

  /**
   * Calls a layer and bounds the wait: a stage that is not complete after {@code timeout} becomes a
   * transient failure. A layer that throws instead of returning a stage fails the same way.
   */
  private static <T> CompletableFuture<T> call(String layer, Supplier<CompletionStage<T>> op, Duration timeout) {
    CompletableFuture<T> raw = new CompletableFuture<>();
    try {
      CompletionStage<T> stage = op.get();
      if (stage == null) {
        throw new IllegalStateException(layer + " returned no result stage");
      }
      stage.whenComplete((v, e) -> {
        if (e != null) {
          raw.completeExceptionally(StoreException.unwrap(e));
        } else {
          raw.complete(v);
        }
      });
    } catch (RuntimeException e) {
      raw.completeExceptionally(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    raw.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
      if (e == null) {
        result.complete(v);
      } else if (StoreException.unwrap(e) instanceof TimeoutException) {
        result.completeExceptionally(StoreException.transientFailure(
            layer + " gave no answer within " + timeout.toMillis() + " ms", null));
      } else {
        result.completeExceptionally(StoreException.unwrap(e));
      }
    });
    return result;
  }

  /** The error a caller sees for a non-transient store failure. */
  private static FlagException callerError(Throwable e) {
    if (e instanceof FlagException) {
      FlagException fe = (FlagException) e;
      if (fe.errorKind() == FlagErrorKind.INVALID_REQUEST && !(fe instanceof InvalidFlagRequestException)) {
        return new InvalidFlagRequestException(fe.getMessage(), fe);
      }
      return fe;
    }
    return StoreException.rejected(LayerBreaker.describe(e), e);
  }

  /** One load of the flags this caller owns, walking the layers below the in-process prefix in order. */
  private final class Load {
    private final String entity;
    private final Map<String, CompletableFuture<Resolution>> pending;
    private final List<LayerFailure> failures = new ArrayList<>(2);

    Load(String entity, Map<String, CompletableFuture<Resolution>> owned) {
      this.entity = entity;
      this.pending = new LinkedHashMap<>(owned);
    }

    void start() {
      CompletableFuture<Void> stage = CompletableFuture.completedFuture(null);
      for (int i = localPrefix; i < tiers.length; i++) {
        int index = i;
        stage = stage.thenCompose(v -> pending.isEmpty() ? done() : readTier(index));
      }
      stage.thenCompose(v -> pending.isEmpty() ? done() : readPrimary())
          .thenCompose(v -> pending.isEmpty() || secondary == null ? done() : readSecondary())
          .whenComplete((v, e) -> {
            if (e != null) {
              log.error("flag load failed unexpectedly; serving last-known-good values or errors", e);
              failures.add(new LayerFailure("flagstack", FlagSource.PRIMARY, "internal error: " + LayerBreaker.describe(e)));
            }
            finish();
          });
    }

    private CompletableFuture<Void> done() {
      return CompletableFuture.completedFuture(null);
    }

    /**
     * Ends one flag's load. The in-flight entry goes first: dependents of the future run as soon as it
     * completes, and a caller that has its answer must not find the finished load still registered.
     */
    private void resolve(String flag, Resolution resolution) {
      CompletableFuture<Resolution> f = pending.remove(flag);
      if (f != null) {
        inFlight.remove(FlagKey.of(entity, flag), f);
        f.complete(resolution);
      }
    }

    private Set<String> pendingFlags() {
      return Set.copyOf(pending.keySet());
    }

    private CompletableFuture<Void> readTier(int index) {
      Tier tier = tiers[index];
      Set<String> flags = pendingFlags();
      if (tier.local != null) {
        Map<String, FlagValue> hits = new HashMap<>();
        for (String flag : flags) {
          FlagValue value = tier.local.getIfPresent(entity, flag);
          if (value != null) {
            hits.put(flag, value);
          }
        }
        acceptCacheHits(index, hits);
        return done();
      }
      if (!tier.breaker.tryAcquire()) {
        listener.layerFailed(tier.cache.name(), FlagSource.CACHE, BreakerOpen.INSTANCE);
        return done();
      }
      long start = System.nanoTime();
      return call(tier.cache.name(), () -> tier.cache.getAll(entity, flags), tier.cache.timeBudget())
          .handle((found, error) -> {
            long nanos = System.nanoTime() - start;
            if (error != null || found == null) {
              Throwable e = error != null ? error
                  : StoreException.transientFailure(tier.cache.name() + " returned no map", null);
              tier.breaker.onFailure(nanos, e);
              listener.layerFailed(tier.cache.name(), FlagSource.CACHE, e);
              log.debug("cache tier '{}' missed on error: {}", tier.cache.name(), LayerBreaker.describe(e));
              return null;
            }
            tier.breaker.onSuccess(nanos);
            Map<String, FlagValue> hits = new HashMap<>();
            for (String flag : flags) {
              FlagValue value = found.get(flag);
              if (value != null) {
                hits.put(flag, value);
              }
            }
            acceptCacheHits(index, hits);
            return null;
          });
    }

    private void acceptCacheHits(int index, Map<String, FlagValue> hits) {
      if (hits.isEmpty()) {
        return;
      }
      writeToTiers(entity, hits, index);
      String name = tiers[index].cache.name();
      hits.forEach((flag, value) -> {
        remember(entity, flag, value, name);
        resolve(flag, Resolution.served(value, FlagSource.CACHE, name));
      });
    }

    private CompletableFuture<Void> readPrimary() {
      String name = primary.name();
      if (!primaryBreaker.tryAcquire()) {
        failures.add(new LayerFailure(name, FlagSource.PRIMARY, "circuit breaker open"));
        listener.layerFailed(name, FlagSource.PRIMARY, BreakerOpen.INSTANCE);
        return done();
      }
      Set<String> flags = pendingFlags();
      long start = System.nanoTime();
      return call(name, () -> primary.getFlags(entity, flags), primary.callTimeout())
          .handle((found, error) -> {
            long nanos = System.nanoTime() - start;
            Throwable e = error != null ? error
                : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
            if (e != null) {
              primaryBreaker.onFailure(nanos, e);
              listener.layerFailed(name, FlagSource.PRIMARY, e);
              if (!StoreException.isTransient(e)) {
                FlagException toCaller = callerError(e);
                for (String flag : flags) {
                  resolve(flag, Resolution.failed(toCaller));
                }
              } else {
                failures.add(new LayerFailure(name, FlagSource.PRIMARY, LayerBreaker.describe(e)));
                log.debug("primary store '{}' failed: {}", name, LayerBreaker.describe(e));
              }
              return null;
            }
            primaryBreaker.onSuccess(nanos);
            Map<String, FlagValue> values = new HashMap<>();
            for (String flag : flags) {
              FlagValue value = found.get(flag);
              if (value != null) {
                values.put(flag, value);
              }
            }
            // Cache first, then answer: a caller arriving once this load has left the in-flight map
            // finds the value in memory instead of starting a second load.
            writeToTiers(entity, values, tiers.length);
            for (String flag : flags) {
              FlagValue value = values.get(flag);
              if (value != null) {
                remember(entity, flag, value, name);
                resolve(flag, Resolution.served(value, FlagSource.PRIMARY, name));
              } else {
                resolve(flag, Resolution.failed(new FlagNotFoundException(flag)));
              }
            }
            return null;
          });
    }

    private CompletableFuture<Void> readSecondary() {
      String name = secondary.name();
      for (String flag : pendingFlags()) {
        Object recent = secondaryRecent.getIfPresent(FlagKey.of(entity, flag));
        if (recent == NOT_FOUND) {
          resolve(flag, Resolution.failed(new FlagNotFoundException(flag)));
        } else if (recent != null) {
          resolve(flag, Resolution.served((FlagValue) recent, FlagSource.SECONDARY, name));
        }
      }
      if (pending.isEmpty()) {
        return done();
      }
      if (!secondaryPermits.tryAcquire()) {
        String why = "busy: " + secondaryMaxConcurrency + " calls already in flight";
        failures.add(new LayerFailure(name, FlagSource.SECONDARY, why));
        listener.layerFailed(name, FlagSource.SECONDARY, StoreException.transientFailure(name + " is " + why, null));
        return done();
      }
      Set<String> flags = pendingFlags();
      // call() never throws: every outcome, including a store that throws, arrives in handle().
      return call(name, () -> secondary.getFlags(entity, flags), secondary.callTimeout()).handle((found, error) -> {
        secondaryPermits.release();
        Throwable e = error != null ? error
            : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
        if (e != null) {
          listener.layerFailed(name, FlagSource.SECONDARY, e);
          if (!StoreException.isTransient(e)) {
            FlagException toCaller = callerError(e);
            for (String flag : flags) {
              resolve(flag, Resolution.failed(toCaller));
            }
          } else {
            failures.add(new LayerFailure(name, FlagSource.SECONDARY, LayerBreaker.describe(e)));
            log.debug("secondary store '{}' failed: {}", name, LayerBreaker.describe(e));
          }
          return null;
        }
        for (String flag : flags) {
          FlagValue value = found.get(flag);
          FlagKey key = FlagKey.of(entity, flag);
          if (value != null) {
            secondaryRecent.put(key, value);
            remember(entity, flag, value, name);
            resolve(flag, Resolution.served(value, FlagSource.SECONDARY, name));
          } else {
            secondaryRecent.put(key, NOT_FOUND);
            resolve(flag, Resolution.failed(new FlagNotFoundException(flag)));
          }
        }
        return null;
      });
    }

    /** Whatever is still pending failed everywhere: serve last-known-good or report unavailability. */
    private void finish() {
      for (String flag : pendingFlags()) {
        Stale stale = lastKnownGood == null ? null : lastKnownGood.getIfPresent(FlagKey.of(entity, flag));
        if (stale != null) {
          resolve(flag, Resolution.served(stale.value, FlagSource.STALE, stale.layer));
        } else {
          resolve(flag, Resolution.failed(new FlagUnavailableException(flag, failures)));
        }
      }
    }
  }

  private static final class Tier {
    final FlagCache cache;
    final LocalFlagCache local;
    final LayerBreaker breaker;

    Tier(FlagCache cache, LayerBreaker breaker) {
      this.cache = cache;
      this.local = cache instanceof LocalFlagCache ? (LocalFlagCache) cache : null;
      this.breaker = breaker;
    }
  }

  private static final class Stale {
    final FlagValue value;
    final String layer;

    Stale(FlagValue value, String layer) {
      this.value = value;
      this.layer = layer;
    }
  }

  /** Reported to listeners when a layer is skipped because its breaker is open; cheap, no stack trace. */
  static final class BreakerOpen extends FlagException {
    private static final long serialVersionUID = 1L;
    static final BreakerOpen INSTANCE = new BreakerOpen();

    private BreakerOpen() {
      super(FlagErrorKind.UNAVAILABLE, "circuit breaker open", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Lets tier {@code index} evict entries from the tiers above it. */
  private final class TiersAbove implements CacheInvalidator {
    private final int index;

    TiersAbove(int index) {
      this.index = index;
    }

    @Override
    public void invalidate(String entity, String flag) {
      for (int i = 0; i < index; i++) {
        safeInvalidate(tiers[i].cache, entity, flag);
      }
    }

    @Override
    public void invalidateAll() {
      for (int i = 0; i < index; i++) {
        safeInvalidateAll(tiers[i].cache);
      }
    }
  }
}
