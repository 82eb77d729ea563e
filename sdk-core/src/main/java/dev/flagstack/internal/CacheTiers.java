package dev.flagstack.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.LocalFlagCache;
import dev.flagstack.spi.StoreException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache tiers, in the order they were added: reads, write-back and eviction.
 *
 * <p>A tier never fails a read. An in-process tier that throws is a miss (and a write that throws is
 * logged); a remote tier is called through {@link GuardedCall} with its own breaker and time budget, and
 * an error, a timeout or an open breaker is a miss.
 *
 * <p>Write-back honours {@link Generations}: a value is written only if its key was not invalidated
 * since the load that found it began, and is evicted again if an invalidation came while it was being
 * written (for a remote tier: by the time the tier's own write ends, even after its time budget).
 */
final class CacheTiers {
  private static final Logger log = LoggerFactory.getLogger(CacheTiers.class);

  private final Tier[] tiers;
  /** How many leading tiers are in-process; they are read synchronously before any coalescing. */
  private final int localPrefix;
  private final GuardedCall guarded;
  private final SafeListener listener;
  private final Generations generations;

  CacheTiers(EngineSettings settings, GuardedCall guarded, SafeListener listener, Generations generations) {
    this.guarded = guarded;
    this.generations = generations;
    this.listener = listener;
    List<FlagCache> caches = settings.caches();
    this.tiers = new Tier[caches.size()];
    int prefix = 0;
    boolean inPrefix = true;
    for (int i = 0; i < tiers.length; i++) {
      FlagCache cache = caches.get(i);
      LayerBreaker breaker = cache instanceof LocalFlagCache ? null
          : new LayerBreaker(cache.name(), FlagSource.CACHE, settings.cacheBreaker(), settings.tierBudget(i),
              settings.clock(), listener);
      tiers[i] = new Tier(cache, breaker, settings.tierBudget(i));
      if (inPrefix && cache instanceof LocalFlagCache) {
        prefix++;
      } else {
        inPrefix = false;
      }
    }
    this.localPrefix = prefix;
  }

  int size() {
    return tiers.length;
  }

  int localPrefix() {
    return localPrefix;
  }

  FlagCache cache(int index) {
    return tiers[index].cache;
  }

  /** The first tier when it is in-process: the synchronous hot path reads it directly. */
  LocalFlagCache hot() {
    return localPrefix > 0 ? tiers[0].local : null;
  }

  /** The breaker state of the first remote tier named {@code name}, or null if there is none. */
  BreakerState breakerState(String name) {
    for (Tier tier : tiers) {
      if (tier.breaker != null && tier.cache.name().equals(name)) {
        return tier.breaker.state();
      }
    }
    return null;
  }

  /** A hit in the in-process tiers that lead the list, copied into those above it; null on a miss. */
  Resolution readLocalPrefix(String entity, String flag) {
    long seen = localPrefix > 1 ? generations.of(entity, flag) : 0L;
    for (int i = 0; i < localPrefix; i++) {
      FlagValue value = getIfPresent(tiers[i], entity, flag);
      if (value != null) {
        for (int j = 0; j < i; j++) {
          putUnlessInvalidated(tiers[j], entity, flag, value, seen);
        }
        return Resolution.served(value, FlagSource.CACHE, tiers[i].cache.name());
      }
    }
    return null;
  }

  /** Reads tier {@code index}; the future never fails: a failing or skipped tier has no hits. */
  CompletableFuture<Map<String, FlagValue>> read(int index, String entity, Set<String> flags) {
    Tier tier = tiers[index];
    if (tier.local != null) {
      Map<String, FlagValue> hits = new HashMap<>();
      for (String flag : flags) {
        FlagValue value = getIfPresent(tier, entity, flag);
        if (value != null) {
          hits.put(flag, value);
        }
      }
      return CompletableFuture.completedFuture(hits);
    }
    String name = tier.cache.name();
    return guarded.call(name, tier.budget, tier.breaker, () -> tier.cache.getAll(entity, flags))
        .handle((found, error) -> {
          Throwable e = error != null ? error
              : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
          if (e != null) {
            listener.layerFailed(name, FlagSource.CACHE, e);
            if (e != BreakerOpen.INSTANCE) {
              log.debug("cache tier '{}' missed on error: {}", name, LayerBreaker.describe(e));
            }
            return Map.of();
          }
          Map<String, FlagValue> hits = new HashMap<>();
          for (String flag : flags) {
            FlagValue value = found.get(flag);
            if (value != null) {
              hits.put(flag, value);
            }
          }
          return hits;
        });
  }

  /**
   * Writes {@code values} to tiers {@code 0 .. end-1}, each only if its key's generation is still the
   * one in {@code seen}; fire-and-forget, failures logged. A remote tier gets {@code loadStartedMillis}
   * beside the values (see {@link FlagCache#putAll(String, Map, long)}).
   */
  void write(String entity, Map<String, FlagValue> values, Map<String, Long> seen, int end, long loadStartedMillis) {
    Map<String, FlagValue> fresh = new HashMap<>();
    values.forEach((flag, value) -> {
      if (generations.unchanged(entity, flag, seen.get(flag))) {
        fresh.put(flag, value);
      }
    });
    if (fresh.isEmpty()) {
      return;
    }
    for (int i = 0; i < end; i++) {
      Tier tier = tiers[i];
      if (tier.local != null) {
        fresh.forEach((flag, value) -> putUnlessInvalidated(tier, entity, flag, value, seen.get(flag)));
        continue;
      }
      String name = tier.cache.name();
      guarded.call(name, tier.budget, new Write(tier, entity, fresh.keySet(), seen), () -> tier.cache.putAll(entity, fresh, loadStartedMillis))
          .whenComplete((v, e) -> {
            if (e != null && e != BreakerOpen.INSTANCE) {
              listener.layerFailed(name, FlagSource.CACHE, e);
              log.debug("cache tier '{}' failed to store values: {}", name, LayerBreaker.describe(e));
            }
          });
    }
  }

  private void putUnlessInvalidated(Tier tier, String entity, String flag, FlagValue value, long seen) {
    if (!generations.unchanged(entity, flag, seen)) {
      return;
    }
    put(tier, entity, flag, value);
    if (!generations.unchanged(entity, flag, seen)) {
      evict(tier.cache, entity, flag);
    }
  }

  /**
   * Makes tiers {@code 0 .. end-1} forget something (one entry, some flags, everything) so that no load
   * puts it back; the caller has already moved the generations concerned with {@code bump}. Remote tiers
   * hear first, bottom-up; then {@code bump} runs again and the in-process tiers hear, bottom-up. So a
   * load that read an old value from a tier before that tier heard began before a bump that precedes
   * the eviction of every tier it may write to, and its write-back is refused or undone (see
   * {@link Generations}); a load that began after the last bump finds no old value in any tier. With more
   * than one in-process tier (which copy values among themselves) they hear twice, with a bump between.
   * A tier that throws is logged; the others still hear.
   */
  void retract(int end, Runnable bump, Consumer<FlagCache> tell, String what) {
    int locals = 0;
    for (int i = end - 1; i >= 0; i--) {
      if (tiers[i].local == null) {
        tell(tiers[i].cache, tell, what);
      } else {
        locals++;
      }
    }
    if (locals == 0) {
      return;
    }
    for (int round = locals > 1 ? 2 : 1; round > 0; round--) {
      bump.run();
      for (int i = end - 1; i >= 0; i--) {
        if (tiers[i].local != null) {
          tell(tiers[i].cache, tell, what);
        }
      }
    }
  }

  private static void tell(FlagCache cache, Consumer<FlagCache> tell, String what) {
    try {
      tell.accept(cache);
    } catch (Throwable e) {
      log.warn("cache tier '{}' failed to {}: {}", cache.name(), what, LayerBreaker.describe(e));
    }
  }

  private static void evict(FlagCache cache, String entity, String flag) {
    try {
      cache.invalidate(entity, flag);
    } catch (Throwable e) {
      log.warn("cache tier '{}' failed to invalidate an entry: {}", cache.name(), LayerBreaker.describe(e));
    }
  }

  private static FlagValue getIfPresent(Tier tier, String entity, String flag) {
    try {
      return tier.local.getIfPresent(entity, flag);
    } catch (Throwable e) {
      log.debug("cache tier '{}' failed a read; a miss: {}", tier.cache.name(), LayerBreaker.describe(e));
      return null;
    }
  }

  private static void put(Tier tier, String entity, String flag, FlagValue value) {
    try {
      tier.local.put(entity, flag, value);
    } catch (Throwable e) {
      log.warn("cache tier '{}' failed to store a value: {}", tier.cache.name(), LayerBreaker.describe(e));
    }
  }

  /** A remote write: the tier's breaker hears the outcome; when the write ends, undo what was invalidated. */
  private final class Write implements GuardedCall.Guard {
    private final Tier tier;
    private final String entity;
    private final Set<String> flags;
    private final Map<String, Long> seen;

    Write(Tier tier, String entity, Set<String> flags, Map<String, Long> seen) {
      this.tier = tier;
      this.entity = entity;
      this.flags = flags;
      this.seen = seen;
    }

    @Override
    public boolean tryAcquire() {
      return tier.breaker.tryAcquire();
    }

    @Override
    public void onOutcome(long nanos, Throwable error) {
      tier.breaker.onOutcome(nanos, error);
    }

    @Override
    public void onSettled() {
      for (String flag : flags) {
        if (!generations.unchanged(entity, flag, seen.get(flag))) {
          evict(tier.cache, entity, flag);
        }
      }
    }
  }

  private static final class Tier {
    final FlagCache cache;
    final LocalFlagCache local;
    final LayerBreaker breaker;
    final java.time.Duration budget;

    Tier(FlagCache cache, LayerBreaker breaker, java.time.Duration budget) {
      this.cache = cache;
      this.local = cache instanceof LocalFlagCache ? (LocalFlagCache) cache : null;
      this.breaker = breaker;
      this.budget = budget;
    }
  }
}
