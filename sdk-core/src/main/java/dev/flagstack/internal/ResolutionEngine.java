package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.spi.CacheInvalidator;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layered read: cache tiers, then the primary store behind its breaker, then the secondary store,
 * then the last-known-good value. This class wires the parts and starts loads; each job lives in one
 * place:
 *
 * <ul>
 *   <li>{@link GuardedCall}: every call to a layer (acquire, call, bound the wait, report), on the
 *       client's own timer and executor ({@link ClientThreads}).
 *   <li>{@link InFlightLoads}: concurrent misses of one key share one load.
 *   <li>{@link CacheTiers}: tier reads, write-back and eviction.
 *   <li>{@link Load}: one walk down the layers for the flags one caller owns.
 *   <li>{@link SecondaryFallback} and {@link LastKnownGood}: the fallbacks.
 * </ul>
 */
public final class ResolutionEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResolutionEngine.class);

  final SafeListener listener;
  final ClientThreads threads;
  final GuardedCall guarded;
  final CacheTiers tiers;
  final FlagStore primary;
  final Duration primaryTimeout;
  final LayerBreaker primaryBreaker;
  final SecondaryFallback secondary;
  final LastKnownGood lastKnownGood;
  final Clock clock;
  final InFlightLoads inFlight = new InFlightLoads();
  final Generations generations = new Generations();
  private final RequestValidator validator;
  private volatile boolean closed;

  /** Builds the engine from a {@link EngineSettings#snapshot() snapshot}; binds each tier's hook. */
  public ResolutionEngine(EngineSettings settings) {
    this.listener = new SafeListener(settings.listener(), new StatusTracker(settings));
    this.clock = settings.clock();
    this.threads = new ClientThreads(settings.executor());
    this.guarded = new GuardedCall(threads);
    this.tiers = new CacheTiers(settings, guarded, listener, generations);
    this.primary = settings.primary();
    this.primaryTimeout = settings.primaryTimeout();
    this.primaryBreaker = new LayerBreaker(primary.name(), FlagSource.PRIMARY, settings.primaryBreaker(),
        primaryTimeout, settings.clock(), listener);
    Ticker ticker = Tickers.of(settings.clock());
    this.secondary = settings.secondary() == null ? null
        : new SecondaryFallback(settings, ticker, guarded, threads, listener);
    this.lastKnownGood = new LastKnownGood(settings, ticker, generations);
    this.validator = new RequestValidator(settings.maxBatchSize());
    for (int i = 0; i < tiers.size(); i++) {
      tiers.cache(i).bind(new TiersAbove(i));
    }
  }

  /** The first tier when it is in-process: the synchronous hot path reads it directly. */
  public LocalFlagCache hotTier() {
    return tiers.hot();
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
    return tiers.breakerState(name);
  }

  /**
   * How many loads are registered in flight now (joinable by a concurrent miss of the same key); zero
   * whenever no read is running. For tests and diagnostics: a key left here forever would be a leak.
   */
  public int inFlightLoads() {
    return inFlight.size();
  }

  /**
   * Resolves already-validated {@code flags} for {@code entity}. Never throws, and the returned future
   * never completes exceptionally: failures are carried per flag in {@link Resolution#error()}.
   */
  public CompletableFuture<Map<String, Resolution>> resolve(String entity, Set<String> flags) {
    Map<String, Resolution> results = new LinkedHashMap<>();
    if (closed) {
      return CompletableFuture.completedFuture(failAll(flags, results, closedError()));
    }
    Map<String, CompletableFuture<Resolution>> waiting = new LinkedHashMap<>();
    Map<String, CompletableFuture<Resolution>> owned = new LinkedHashMap<>();
    Map<String, Long> seen = new java.util.HashMap<>();
    try {
      for (String flag : flags) {
        Resolution hit = tiers.readLocalPrefix(entity, flag);
        if (hit != null) {
          results.put(flag, hit);
          continue;
        }
        FlagKey key = FlagKey.of(entity, flag);
        long generation = generations.of(entity, flag);
        CompletableFuture<Resolution> mine = new CompletableFuture<>();
        CompletableFuture<Resolution> existing = inFlight.registerOrJoin(key, mine);
        if (existing != null) {
          waiting.put(flag, existing);
        } else {
          owned.put(flag, mine);
          seen.put(flag, generation);
          waiting.put(flag, mine);
        }
      }
      if (!owned.isEmpty()) {
        new Load(this, entity, owned, seen).start();
      }
    } catch (Throwable e) {
      // Whatever this read registered must end, or later reads of those keys would wait on it forever.
      log.error("flag read failed unexpectedly", e);
      FlagException error = new FlagException(FlagErrorKind.UNAVAILABLE, "internal error: " + LayerBreaker.describe(e));
      owned.forEach((flag, f) -> inFlight.finish(FlagKey.of(entity, flag), f, Resolution.failed(error)));
      return CompletableFuture.completedFuture(failAll(flags, new LinkedHashMap<>(), error));
    }
    if (waiting.isEmpty()) {
      return CompletableFuture.completedFuture(results);
    }
    return CompletableFuture.allOf(waiting.values().toArray(new CompletableFuture<?>[0]))
        .handle((v, e) -> {
          waiting.forEach((flag, f) -> results.put(flag, f.getNow(null)));
          return results;
        });
  }

  private static Map<String, Resolution> failAll(Set<String> flags, Map<String, Resolution> results,
      FlagException error) {
    for (String flag : flags) {
      results.put(flag, Resolution.failed(error));
    }
    return results;
  }

  private static FlagException closedError() {
    return new FlagException(FlagErrorKind.UNAVAILABLE, "FlagClient is closed");
  }

  /**
   * Forgets one entry everywhere the client remembers it: tiers, the secondary's cache, last-known-good.
   * The generation moves first, so loads already in flight write nothing back; their entry is detached,
   * so a later read starts a fresh load; then the tiers forget it ({@link CacheTiers#retract}).
   */
  public void invalidate(String entity, String flag) {
    generations.bump(entity, flag);
    inFlight.detach(entity, flag);
    tiers.retract(tiers.size(), () -> generations.bump(entity, flag), t -> t.invalidate(entity, flag),
        "invalidate an entry");
    if (secondary != null) {
      secondary.forget(entity, flag);
    }
    lastKnownGood.forget(entity, flag);
  }

  /**
   * Drops every cached entry (tiers, the secondary's cache) and wins over every load in flight, like
   * {@link #invalidate}. Last-known-good values stay: a flush says nothing about any one flag, and they
   * are the client's safety net; each still goes when a not-found or {@link #invalidate} names it.
   */
  public void invalidateAll() {
    generations.bumpAll();
    inFlight.detachAll();
    tiers.retract(tiers.size(), generations::bumpAll, FlagCache::invalidateAll, "invalidate");
    if (secondary != null) {
      secondary.forgetAll();
    }
  }

  /**
   * A change source said {@code flags} changed, and the client heard at {@code atMillis}: drops them, for
   * every entity, from every tier ({@link FlagCache#flagsChanged}) and the secondary's cache, winning over
   * loads in flight as {@link #invalidate} does. Last-known-good values stay (see the README's "Change
   * notifications"). Never throws.
   */
  public void flagsChanged(Set<String> flags, long atMillis) {
    if (closed) {
      return;
    }
    Runnable bump = () -> flags.forEach(generations::bumpFlag);
    bump.run();
    inFlight.detachFlags(flags);
    tiers.retract(tiers.size(), bump, t -> t.flagsChanged(flags, atMillis), "drop changed flags");
    if (secondary != null) {
      secondary.forgetFlags(flags);
    }
    listener.flagsChanged(flags);
  }

  /** Like {@link #flagsChanged} for every flag ({@link FlagCache#everythingChanged}). Never throws. */
  public void everythingChanged(long atMillis) {
    if (closed) {
      return;
    }
    generations.bumpAll();
    inFlight.detachAll();
    tiers.retract(tiers.size(), generations::bumpAll, t -> t.everythingChanged(atMillis), "drop every flag");
    if (secondary != null) {
      secondary.forgetAll();
    }
    listener.flagsChanged(Set.of());
  }

  /**
   * Ends every in-flight read with an error and stops the client's threads; the layers passed in stay
   * open (they are the caller's).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    listener.status().close();
    inFlight.failAll(closedError());
    if (secondary != null) {
      secondary.forgetAll();
    }
    lastKnownGood.forgetAll();
    threads.close();
  }

  /**
   * Lets tier {@code index} evict entries from the tiers above it (a shared tier that heard of a change).
   * Like {@link #invalidate}, it moves the generation and detaches loads in flight first; it leaves
   * last-known-good alone, since a shared tier also flushes on every reconnect, and during an outage the
   * last values seen are what the client still has.
   */
  private final class TiersAbove implements CacheInvalidator {
    private final int index;

    TiersAbove(int index) {
      this.index = index;
    }

    @Override
    public void invalidate(String entity, String flag) {
      generations.bump(entity, flag);
      inFlight.detach(entity, flag);
      tiers.retract(index, () -> generations.bump(entity, flag), t -> t.invalidate(entity, flag),
          "invalidate an entry");
    }

    @Override
    public void invalidateAll() {
      generations.bumpAll();
      inFlight.detachAll();
      tiers.retract(index, generations::bumpAll, FlagCache::invalidateAll, "invalidate");
    }
  }
}
