package dev.flagstack.internal;

import dev.flagstack.BreakerSettings;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagEventListener;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the engine needs, by name. The public builder validates each value as it is set and stores
 * it here; {@link #snapshot()} then reads each layer's timeout once, validates and clamps it, and hands
 * the engine an object no one else holds. Named setters and getters, so no two options can be swapped
 * by position.
 */
public final class EngineSettings {
  private static final Logger log = LoggerFactory.getLogger(EngineSettings.class);

  /** The longest layer timeout the client honours; longer ones are clamped to it. */
  public static final Duration MAX_LAYER_TIMEOUT = Duration.ofMinutes(1);

  private final List<FlagCache> caches = new ArrayList<>();
  private FlagStore primary;
  private FlagStore secondary;
  private BreakerSettings primaryBreaker = BreakerSettings.PRIMARY_DEFAULTS;
  private BreakerSettings cacheBreaker = BreakerSettings.CACHE_DEFAULTS;
  private int secondaryMaxConcurrency = FlagClient.Builder.DEFAULT_SECONDARY_MAX_CONCURRENCY;
  private Duration secondaryCacheTtl = FlagClient.Builder.DEFAULT_SECONDARY_CACHE_TTL;
  private int secondaryCacheMaxEntries = FlagClient.Builder.DEFAULT_SECONDARY_CACHE_MAX_ENTRIES;
  private boolean lastKnownGood = true;
  private int lastKnownGoodMaxEntries = FlagClient.Builder.DEFAULT_LAST_KNOWN_GOOD_MAX_ENTRIES;
  private Duration lastKnownGoodMaxAge = FlagClient.Builder.DEFAULT_LAST_KNOWN_GOOD_MAX_AGE;
  private int maxBatchSize = FlagClient.Builder.DEFAULT_MAX_BATCH_SIZE;
  private Clock clock = Clock.systemUTC();
  private FlagEventListener listener = FlagEventListener.NONE;
  private Executor executor;
  private boolean watchChanges = true;
  // Read from the layers by snapshot(): validated and clamped, never asked again.
  private Duration primaryTimeout;
  private Duration secondaryTimeout;
  private final List<Duration> tierBudgets = new ArrayList<>();

  public EngineSettings copy() {
    EngineSettings s = new EngineSettings();
    s.caches.addAll(caches);
    s.primary = primary;
    s.secondary = secondary;
    s.primaryBreaker = primaryBreaker;
    s.cacheBreaker = cacheBreaker;
    s.secondaryMaxConcurrency = secondaryMaxConcurrency;
    s.secondaryCacheTtl = secondaryCacheTtl;
    s.secondaryCacheMaxEntries = secondaryCacheMaxEntries;
    s.lastKnownGood = lastKnownGood;
    s.lastKnownGoodMaxEntries = lastKnownGoodMaxEntries;
    s.lastKnownGoodMaxAge = lastKnownGoodMaxAge;
    s.maxBatchSize = maxBatchSize;
    s.clock = clock;
    s.listener = listener;
    s.executor = executor;
    s.watchChanges = watchChanges;
    return s;
  }

  /**
   * A copy for the engine, with each layer's timeout read once: it must be positive, and one over
   * {@link #MAX_LAYER_TIMEOUT} is clamped to it (with a warning).
   *
   * @throws IllegalStateException if there is no primary, the primary is also the secondary, or a store
   *     is also one of the cache tiers
   * @throws IllegalArgumentException naming the layer if a timeout is null, zero or negative, or its
   *     getter throws
   */
  public EngineSettings snapshot() {
    if (primary == null) {
      throw new IllegalStateException("primary store is required: call primary(store)");
    }
    if (primary == secondary) {
      throw new IllegalStateException("primary and secondary must be different stores, both were " + primary.name());
    }
    for (FlagCache cache : caches) {
      if (cache == primary || cache == secondary) {
        throw new IllegalStateException("store " + cache.name() + " is also a cache tier; a layer can play one role");
      }
    }
    EngineSettings s = copy();
    s.primaryTimeout = checkTimeout("primary store", primary.name(), "callTimeout", primary::callTimeout);
    s.secondaryTimeout = secondary == null ? null
        : checkTimeout("secondary store", secondary.name(), "callTimeout", secondary::callTimeout);
    for (FlagCache cache : caches) {
      s.tierBudgets.add(cache instanceof LocalFlagCache ? null
          : checkTimeout("cache tier", cache.name(), "timeBudget", cache::timeBudget));
    }
    return s;
  }

  private static Duration checkTimeout(String role, String name, String option,
      java.util.function.Supplier<Duration> getter) {
    Duration d;
    try {
      d = getter.get();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(role + " '" + name + "': " + option + "() threw " + e, e);
    }
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(role + " '" + name + "': " + option + "() must be positive, was " + d);
    }
    if (d.compareTo(MAX_LAYER_TIMEOUT) > 0) {
      log.warn("{} '{}': {}() of {} is longer than the {} the client honours; using {}", role, name, option, d,
          MAX_LAYER_TIMEOUT, MAX_LAYER_TIMEOUT);
      return MAX_LAYER_TIMEOUT;
    }
    return d;
  }

  public List<FlagCache> caches() {
    return caches;
  }

  public FlagStore primary() {
    return primary;
  }

  public EngineSettings primary(FlagStore store) {
    this.primary = store;
    return this;
  }

  public FlagStore secondary() {
    return secondary;
  }

  public EngineSettings secondary(FlagStore store) {
    this.secondary = store;
    return this;
  }

  public BreakerSettings primaryBreaker() {
    return primaryBreaker;
  }

  public EngineSettings primaryBreaker(BreakerSettings settings) {
    this.primaryBreaker = settings;
    return this;
  }

  public BreakerSettings cacheBreaker() {
    return cacheBreaker;
  }

  public EngineSettings cacheBreaker(BreakerSettings settings) {
    this.cacheBreaker = settings;
    return this;
  }

  public int secondaryMaxConcurrency() {
    return secondaryMaxConcurrency;
  }

  public EngineSettings secondaryMaxConcurrency(int calls) {
    this.secondaryMaxConcurrency = calls;
    return this;
  }

  public Duration secondaryCacheTtl() {
    return secondaryCacheTtl;
  }

  public EngineSettings secondaryCacheTtl(Duration ttl) {
    this.secondaryCacheTtl = ttl;
    return this;
  }

  public int secondaryCacheMaxEntries() {
    return secondaryCacheMaxEntries;
  }

  public EngineSettings secondaryCacheMaxEntries(int entries) {
    this.secondaryCacheMaxEntries = entries;
    return this;
  }

  public boolean lastKnownGood() {
    return lastKnownGood;
  }

  public EngineSettings lastKnownGood(boolean enabled) {
    this.lastKnownGood = enabled;
    return this;
  }

  public int lastKnownGoodMaxEntries() {
    return lastKnownGoodMaxEntries;
  }

  public EngineSettings lastKnownGoodMaxEntries(int entries) {
    this.lastKnownGoodMaxEntries = entries;
    return this;
  }

  public Duration lastKnownGoodMaxAge() {
    return lastKnownGoodMaxAge;
  }

  public EngineSettings lastKnownGoodMaxAge(Duration age) {
    this.lastKnownGoodMaxAge = age;
    return this;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  public EngineSettings maxBatchSize(int flags) {
    this.maxBatchSize = flags;
    return this;
  }

  public Clock clock() {
    return clock;
  }

  public EngineSettings clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public FlagEventListener listener() {
    return listener;
  }

  public EngineSettings listener(FlagEventListener listener) {
    this.listener = listener;
    return this;
  }

  /** The caller's executor for continuations, or null for the client's own. */
  public Executor executor() {
    return executor;
  }

  public EngineSettings executor(Executor executor) {
    this.executor = executor;
    return this;
  }

  /** Whether the client subscribes to stores that are change sources. */
  public boolean watchChanges() {
    return watchChanges;
  }

  public EngineSettings watchChanges(boolean watch) {
    this.watchChanges = watch;
    return this;
  }

  /** The layers by name, for {@code FlagClient.toString()}: {@code {caches=[..], primary=.., secondary=..}}. */
  public String describeLayers() {
    return "{caches=" + caches.stream().map(FlagCache::name).toList() + ", primary=" + primary.name()
        + (secondary == null ? "" : ", secondary=" + secondary.name()) + '}';
  }

  /** The primary's call timeout, as read by {@link #snapshot()}. */
  public Duration primaryTimeout() {
    return primaryTimeout;
  }

  /** The secondary's call timeout, as read by {@link #snapshot()}; null without a secondary. */
  public Duration secondaryTimeout() {
    return secondaryTimeout;
  }

  /** Tier {@code index}'s time budget, as read by {@link #snapshot()}; null for an in-process tier. */
  public Duration tierBudget(int index) {
    return tierBudgets.get(index);
  }
}
