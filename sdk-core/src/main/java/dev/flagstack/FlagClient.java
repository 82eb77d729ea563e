package dev.flagstack;

import dev.flagstack.internal.EngineConfig;
import dev.flagstack.internal.RequestValidator;
import dev.flagstack.internal.Resolution;
import dev.flagstack.internal.ResolutionEngine;
import dev.flagstack.internal.SafeListener;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads feature flags through layers that keep answering when backends fail: cache tiers, then the
 * primary store behind a circuit breaker, then the secondary store, then the last value seen.
 *
 * <pre>{@code
 * FlagClient client = FlagClient.builder()
 *     .addCache(MemoryFlagCache.builder().build())
 *     .primary(primaryStore)
 *     .secondary(secondaryStore)
 *     .build();
 * boolean on = client.getBoolean("tenant-42", "new-checkout", false);
 * }</pre>
 *
 * <h2>Reads</h2>
 * <ul>
 *   <li>{@link #getFlag} and {@link #getFlags} throw a {@link FlagException}: {@link FlagNotFoundException}
 *       for an unknown flag, {@link InvalidFlagRequestException} for bad input, {@link FlagUnavailableException}
 *       when every layer failed; a store's other non-transient refusal arrives with errorKind REJECTED.
 *   <li>{@link #getBoolean} and the other typed reads never throw: they return the caller's default.
 *   <li>{@link #getFlagDetail} never throws and says where the value came from.
 *   <li>The {@code ...Async} variants never block; their futures may complete on a provider's I/O thread,
 *       so do not block in a dependent stage (use the {@code ...Async} stage methods with your executor).
 * </ul>
 *
 * <h2>Limits</h2>
 * Entity and flag ids are 1 to {@value RequestValidator#MAX_ID_LENGTH} UTF-16 chars, not blank, with no
 * control characters or unpaired surrogates; a batch holds at most {@link Builder#maxBatchSize(int)} flags.
 * Bad input is rejected before any layer is touched.
 *
 * <h2>Threads and lifecycle</h2>
 * A client is thread-safe and immutable once built; build one and share it. A memory-tier hit through a
 * typed read is synchronous, lock-free and allocation-free. {@link #close()} ends in-flight reads and is
 * idempotent; the stores and caches passed to the builder stay open, since the caller created them.
 */
public final class FlagClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlagClient.class);

  private final Builder settings;
  private final ResolutionEngine engine;
  private final LocalFlagCache hotTier;
  private final SafeListener listener;
  private final boolean timed;
  private volatile boolean closed;

  private FlagClient(Builder builder) {
    this.settings = builder.copy();
    this.engine = new ResolutionEngine(new EngineConfig(
        List.copyOf(builder.caches), builder.primary, builder.secondary, builder.primaryBreaker,
        builder.cacheBreaker, builder.secondaryMaxConcurrency, builder.secondaryCacheTtl,
        builder.secondaryCacheMaxEntries, builder.lastKnownGood, builder.lastKnownGoodMaxEntries,
        builder.lastKnownGoodMaxAge, builder.maxBatchSize, builder.clock, builder.eventListener));
    this.hotTier = engine.hotTier();
    this.listener = engine.listener();
    this.timed = listener.enabled();
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this client's settings and layers, for a variant. The new client has its own
   * breakers and in-flight reads but shares the layers, which stay the caller's to close.
   */
  public Builder newBuilder() {
    return settings.copy();
  }

  // ---------------------------------------------------------------------------------------------
  // Throwing reads

  /**
   * The value of {@code flag} for {@code entity}.
   *
   * @throws FlagNotFoundException if the store that answered does not know the flag
   * @throws InvalidFlagRequestException if an id is null, blank, too long or holds control characters
   * @throws FlagUnavailableException if every layer failed and no last-known-good value is left
   */
  public FlagValue getFlag(String entity, String flag) {
    FlagValue hit = hotHit(entity, flag);
    if (hit != null) {
      return hit;
    }
    return valueOrThrow(resolveOne(entity, flag).join());
  }

  /**
   * The values of {@code flags} for {@code entity}: one call per layer for the whole batch, and only the
   * flags still missing go further down. Unknown flags are absent from the map.
   *
   * @throws InvalidFlagRequestException for bad ids or a batch over the limit
   * @throws FlagUnavailableException if any flag could not be read from any layer
   */
  public Map<String, FlagValue> getFlags(String entity, Collection<String> flags) {
    return unwrapJoin(getFlagsAsync(entity, flags));
  }

  /** {@link #getFlag} without blocking: the future fails with the same exceptions. */
  public CompletableFuture<FlagValue> getFlagAsync(String entity, String flag) {
    FlagValue hit = hotHit(entity, flag);
    if (hit != null) {
      return CompletableFuture.completedFuture(hit);
    }
    return resolveOne(entity, flag).thenApply(FlagClient::valueOrThrow);
  }

  /** {@link #getFlags} without blocking: the future fails with the same exceptions. */
  public CompletableFuture<Map<String, FlagValue>> getFlagsAsync(String entity, Collection<String> flags) {
    long start = System.nanoTime();
    Set<String> batch;
    try {
      batch = engine.validator().checkBatch(entity, flags);
    } catch (InvalidFlagRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return engine.resolve(entity, batch).thenApply(resolutions -> {
      Map<String, FlagValue> values = new LinkedHashMap<>();
      FlagException failure = null;
      long nanos = System.nanoTime() - start;
      for (Map.Entry<String, Resolution> e : resolutions.entrySet()) {
        Resolution r = e.getValue();
        report(entity, e.getKey(), r, nanos);
        if (r.error() == null) {
          values.put(e.getKey(), r.value());
        } else if (!(r.error() instanceof FlagNotFoundException) && failure == null) {
          failure = r.error();
        }
      }
      if (failure != null) {
        throw failure;
      }
      return Collections.unmodifiableMap(values);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Reads that never throw

  /**
   * The value of {@code flag} with where it came from; on any failure the caller's default with the
   * error kind. Never throws.
   */
  public FlagDetail getFlagDetail(String entity, String flag, FlagValue defaultValue) {
    return getFlagDetailAsync(entity, flag, defaultValue).join();
  }

  /** {@link #getFlagDetail} without blocking; the future never fails. */
  public CompletableFuture<FlagDetail> getFlagDetailAsync(String entity, String flag, FlagValue defaultValue) {
    Objects.requireNonNull(defaultValue, "defaultValue");
    FlagValue hit = hotHit(entity, flag);
    if (hit != null) {
      return CompletableFuture.completedFuture(FlagDetail.served(hit, FlagSource.CACHE, hotTier.name()));
    }
    return resolveOne(entity, flag).thenApply(r -> r.error() == null
        ? FlagDetail.served(r.value(), r.source(), r.layer())
        : FlagDetail.defaulted(defaultValue, r.error().errorKind()));
  }

  /** The boolean value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a boolean. */
  public boolean getBoolean(String entity, String flag, boolean defaultValue) {
    FlagValue v = typedRead(entity, flag, FlagType.BOOLEAN);
    return v == null ? defaultValue : v.booleanValue();
  }

  /** The string value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a string. */
  public String getString(String entity, String flag, String defaultValue) {
    FlagValue v = typedRead(entity, flag, FlagType.STRING);
    return v == null ? defaultValue : v.stringValue();
  }

  /** The integer value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a LONG. */
  public long getLong(String entity, String flag, long defaultValue) {
    FlagValue v = typedRead(entity, flag, FlagType.LONG);
    return v == null ? defaultValue : v.longValue();
  }

  /**
   * The numeric value of {@code flag} (DOUBLE, or LONG widened), or {@code defaultValue} if it cannot be
   * read or is not a number.
   */
  public double getDouble(String entity, String flag, double defaultValue) {
    FlagValue v = typedRead(entity, flag, FlagType.DOUBLE);
    return v == null ? defaultValue : v.doubleValue();
  }

  // ---------------------------------------------------------------------------------------------
  // Cache control, health, lifecycle

  /** Drops one entry from every cache tier. */
  public void invalidate(String entity, String flag) {
    RequestValidator.checkId("entity", entity);
    RequestValidator.checkId("flag", flag);
    engine.invalidate(entity, flag);
  }

  /** Drops every entry from every cache tier. */
  public void invalidateAll() {
    engine.invalidateAll();
  }

  /** The state of the primary store's circuit breaker. */
  public BreakerState primaryBreakerState() {
    return engine.primaryBreakerState();
  }

  /** The state of the breaker of the remote cache tier named {@code tierName}, or null if there is none. */
  public BreakerState cacheBreakerState(String tierName) {
    return engine.cacheBreakerState(tierName);
  }

  /** Ends in-flight reads with {@link FlagErrorKind#UNAVAILABLE}; later reads fail the same way. Idempotent. */
  @Override
  public void close() {
    closed = true;
    engine.close();
  }

  @Override
  public String toString() {
    return "FlagClient{caches=" + settings.caches.stream().map(FlagCache::name).toList()
        + ", primary=" + settings.primary.name()
        + (settings.secondary == null ? "" : ", secondary=" + settings.secondary.name()) + '}';
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  /** A hit in the first, in-process tier. Ids that reach the cache were validated when stored. */
  private FlagValue hotHit(String entity, String flag) {
    LocalFlagCache hot = hotTier;
    if (hot == null || entity == null || flag == null || closed) {
      return null;
    }
    long start = timed ? System.nanoTime() : 0L;
    FlagValue v = hot.getIfPresent(entity, flag);
    if (v != null && timed) {
      listener.flagResolved(entity, flag, FlagSource.CACHE, hot.name(), null, System.nanoTime() - start);
    }
    return v;
  }

  /** A hot hit of the right type, or null to take the full path (miss, wrong type, closed). */
  private FlagValue typedHit(String entity, String flag, FlagType type) {
    LocalFlagCache hot = hotTier;
    if (hot == null || entity == null || flag == null || closed) {
      return null;
    }
    long start = timed ? System.nanoTime() : 0L;
    FlagValue v = hot.getIfPresent(entity, flag);
    if (v == null || !fits(v, type)) {
      return null;
    }
    if (timed) {
      listener.flagResolved(entity, flag, FlagSource.CACHE, hot.name(), null, System.nanoTime() - start);
    }
    return v;
  }

  /** The value if it can be read and has {@code type} (a LONG widens to DOUBLE), else null. */
  private FlagValue typedRead(String entity, String flag, FlagType type) {
    FlagValue hit = typedHit(entity, flag, type);
    return hit != null ? hit : readOrNull(entity, flag, type);
  }

  private static boolean fits(FlagValue v, FlagType type) {
    return v.type() == type || (type == FlagType.DOUBLE && v.type() == FlagType.LONG);
  }

  private FlagValue readOrNull(String entity, String flag, FlagType type) {
    Resolution r = resolveOne(entity, flag).join();
    if (r.error() != null) {
      if (log.isDebugEnabled()) {
        log.debug("serving the default for flag read: {}", r.error().getMessage());
      }
      return null;
    }
    FlagValue v = r.value();
    if (fits(v, type)) {
      return v;
    }
    log.debug("flag {} is {}, not {}; serving the default", flag, v.type(), type);
    return null;
  }

  /** The full path for one flag; the future never fails (errors are in the resolution). */
  private CompletableFuture<Resolution> resolveOne(String entity, String flag) {
    long start = System.nanoTime();
    try {
      RequestValidator.checkId("entity", entity);
      RequestValidator.checkId("flag", flag);
    } catch (InvalidFlagRequestException e) {
      listener.flagResolved(String.valueOf(entity), String.valueOf(flag), FlagSource.DEFAULT, null,
          FlagErrorKind.INVALID_REQUEST, System.nanoTime() - start);
      return CompletableFuture.completedFuture(failed(e));
    }
    return engine.resolve(entity, Set.of(flag)).thenApply(map -> {
      Resolution r = map.get(flag);
      report(entity, flag, r, System.nanoTime() - start);
      return r;
    });
  }

  private void report(String entity, String flag, Resolution r, long nanos) {
    if (r.error() == null) {
      listener.flagResolved(entity, flag, r.source(), r.layer(), null, nanos);
    } else {
      listener.flagResolved(entity, flag, FlagSource.DEFAULT, null, r.error().errorKind(), nanos);
    }
  }

  private static Resolution failed(FlagException e) {
    return Resolution.failed(e);
  }

  private static FlagValue valueOrThrow(Resolution r) {
    if (r.error() != null) {
      throw r.error();
    }
    return r.value();
  }

  private static <T> T unwrapJoin(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof FlagException) {
        throw (FlagException) e.getCause();
      }
      throw e;
    }
  }

  /**
   * Builds a {@link FlagClient}. Setters validate at once and name the option and the bad value; setting
   * a single-valued option twice is an {@link IllegalStateException}.
   */
  public static final class Builder {
    /** Most flags in one batch read: {@value}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1000;
    /** Most concurrent calls to the secondary store: {@value}. */
    public static final int DEFAULT_SECONDARY_MAX_CONCURRENCY = 8;
    /** How long the secondary's answers are reused, against stampedes: 5 s. */
    public static final Duration DEFAULT_SECONDARY_CACHE_TTL = Duration.ofSeconds(5);
    /** Entries in the secondary's short-lived cache: {@value}. */
    public static final int DEFAULT_SECONDARY_CACHE_MAX_ENTRIES = 10_000;
    /** Entries kept as last-known-good values: {@value}. */
    public static final int DEFAULT_LAST_KNOWN_GOOD_MAX_ENTRIES = 10_000;
    /** Oldest last-known-good value served: 1 hour. */
    public static final Duration DEFAULT_LAST_KNOWN_GOOD_MAX_AGE = Duration.ofHours(1);

    private final List<FlagCache> caches = new ArrayList<>();
    private FlagStore primary;
    private FlagStore secondary;
    private BreakerSettings primaryBreaker = BreakerSettings.PRIMARY_DEFAULTS;
    private BreakerSettings cacheBreaker = BreakerSettings.CACHE_DEFAULTS;
    private int secondaryMaxConcurrency = DEFAULT_SECONDARY_MAX_CONCURRENCY;
    private Duration secondaryCacheTtl = DEFAULT_SECONDARY_CACHE_TTL;
    private int secondaryCacheMaxEntries = DEFAULT_SECONDARY_CACHE_MAX_ENTRIES;
    private boolean lastKnownGood = true;
    private int lastKnownGoodMaxEntries = DEFAULT_LAST_KNOWN_GOOD_MAX_ENTRIES;
    private Duration lastKnownGoodMaxAge = DEFAULT_LAST_KNOWN_GOOD_MAX_AGE;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private Clock clock = Clock.systemUTC();
    private FlagEventListener eventListener = FlagEventListener.NONE;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.caches.addAll(caches);
      b.primary = primary;
      b.secondary = secondary;
      b.primaryBreaker = primaryBreaker;
      b.cacheBreaker = cacheBreaker;
      b.secondaryMaxConcurrency = secondaryMaxConcurrency;
      b.secondaryCacheTtl = secondaryCacheTtl;
      b.secondaryCacheMaxEntries = secondaryCacheMaxEntries;
      b.lastKnownGood = lastKnownGood;
      b.lastKnownGoodMaxEntries = lastKnownGoodMaxEntries;
      b.lastKnownGoodMaxAge = lastKnownGoodMaxAge;
      b.maxBatchSize = maxBatchSize;
      b.clock = clock;
      b.eventListener = eventListener;
      return b;
    }

    /**
     * Adds a cache tier below those already added; tiers are read in this order. Put the in-process
     * tier first: only a first tier that is a {@link LocalFlagCache} gets the allocation-free hot path.
     */
    public Builder addCache(FlagCache cache) {
      Objects.requireNonNull(cache, "cache");
      if (caches.contains(cache)) {
        throw new IllegalStateException("cache tier " + cache.name() + " was already added");
      }
      caches.add(cache);
      return this;
    }

    /** The primary store (required): a flags API, or a database read directly. */
    public Builder primary(FlagStore store) {
      Objects.requireNonNull(store, "primary");
      if (primary != null && primary != store) {
        throw new IllegalStateException("primary was already set to " + primary.name());
      }
      this.primary = store;
      return this;
    }

    /** The secondary store (optional), read on a transient primary failure or while its breaker is open. */
    public Builder secondary(FlagStore store) {
      Objects.requireNonNull(store, "secondary");
      if (secondary != null && secondary != store) {
        throw new IllegalStateException("secondary was already set to " + secondary.name());
      }
      this.secondary = store;
      return this;
    }

    /** The primary store's breaker; default {@link BreakerSettings#PRIMARY_DEFAULTS}. */
    public Builder primaryBreaker(BreakerSettings settings) {
      this.primaryBreaker = Objects.requireNonNull(settings, "primaryBreaker");
      return this;
    }

    /** The breaker of each remote cache tier; default {@link BreakerSettings#CACHE_DEFAULTS}. */
    public Builder cacheBreaker(BreakerSettings settings) {
      this.cacheBreaker = Objects.requireNonNull(settings, "cacheBreaker");
      return this;
    }

    /**
     * Most calls in flight to the secondary store; a read that finds none free skips it. Default
     * {@value #DEFAULT_SECONDARY_MAX_CONCURRENCY}.
     */
    public Builder secondaryMaxConcurrency(int calls) {
      this.secondaryMaxConcurrency = Settings.positive("secondaryMaxConcurrency", calls);
      return this;
    }

    /** How long the secondary's answers (and not-founds) are reused; default 5 s. */
    public Builder secondaryCacheTtl(Duration ttl) {
      this.secondaryCacheTtl = Settings.atLeastOneMilli("secondaryCacheTtl", ttl);
      return this;
    }

    /** Entries in the secondary's short-lived cache; default {@value #DEFAULT_SECONDARY_CACHE_MAX_ENTRIES}. */
    public Builder secondaryCacheMaxEntries(int entries) {
      this.secondaryCacheMaxEntries = Settings.positive("secondaryCacheMaxEntries", entries);
      return this;
    }

    /** Whether to serve the last value seen when every layer fails; default true. */
    public Builder lastKnownGood(boolean enabled) {
      this.lastKnownGood = enabled;
      return this;
    }

    /** Entries kept as last-known-good; default {@value #DEFAULT_LAST_KNOWN_GOOD_MAX_ENTRIES}. */
    public Builder lastKnownGoodMaxEntries(int entries) {
      this.lastKnownGoodMaxEntries = Settings.positive("lastKnownGoodMaxEntries", entries);
      return this;
    }

    /** Oldest last-known-good value served; default 1 hour. */
    public Builder lastKnownGoodMaxAge(Duration age) {
      this.lastKnownGoodMaxAge = Settings.atLeastOneMilli("lastKnownGoodMaxAge", age);
      return this;
    }

    /** Most flags in one batch read; default {@value #DEFAULT_MAX_BATCH_SIZE}. */
    public Builder maxBatchSize(int flags) {
      this.maxBatchSize = Settings.positive("maxBatchSize", flags);
      return this;
    }

    /** The clock for breakers and ages; tests pass one they can advance. Default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Receives read outcomes, layer failures and breaker changes; default none. */
    public Builder eventListener(FlagEventListener listener) {
      this.eventListener = Objects.requireNonNull(listener, "eventListener");
      return this;
    }

    /**
     * Builds the client. Never contacts a backend, so a store that is down at start-up does not fail it.
     *
     * @throws IllegalStateException if no primary store was set, or a store is also a cache tier
     */
    public FlagClient build() {
      if (primary == null) {
        throw new IllegalStateException("primary store is required: call primary(store)");
      }
      if (primary == secondary) {
        throw new IllegalStateException("primary and secondary must be different stores, both were " + primary.name());
      }
      return new FlagClient(this);
    }
  }
}
