package dev.flagstack;

import dev.flagstack.internal.ChangeWatch;
import dev.flagstack.internal.ClientReads;
import dev.flagstack.internal.EngineSettings;
import dev.flagstack.internal.RequestValidator;
import dev.flagstack.internal.ResolutionEngine;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
 *   <li>The {@code ...Async} variants never block. Their futures never complete on a store's I/O thread
 *       or on the client's timer thread: on the client's executor ({@link Builder#executor}), or on a
 *       calling thread if a layer answered synchronously or {@link #close()} ended the read. A dependent
 *       stage that blocks holds up no other read's timeout.
 * </ul>
 *
 * <h2>Limits</h2>
 * Entity and flag ids are 1 to {@value RequestValidator#MAX_ID_LENGTH} UTF-16 chars, not blank, with no
 * control characters or unpaired surrogates; a batch holds at most {@link Builder#maxBatchSize(int)} flags.
 * Bad input is rejected before any layer is touched.
 *
 * <h2>Threads and lifecycle</h2>
 * A client is thread-safe and immutable once built; build one and share it. A memory-tier hit through a
 * typed read is synchronous, lock-free and allocation-free. Each client owns one daemon timer thread
 * ({@code flagstack-timer-N}) for layer deadlines and, unless given an executor, a cached pool of daemon
 * threads ({@code flagstack-worker-N}) for continuations. It subscribes to stores that report flag changes
 * ({@link Builder#watchChanges}). {@link #close()} ends in-flight reads and subscriptions, stops those
 * threads and is idempotent; the stores, caches and executor passed to the builder stay open.
 */
public final class FlagClient implements AutoCloseable {
  private final EngineSettings settings;
  private final ResolutionEngine engine;
  private final ClientReads reads;
  private final ChangeWatch watch;

  private FlagClient(EngineSettings settings) {
    this.settings = settings;
    this.engine = new ResolutionEngine(settings);
    this.reads = new ClientReads(engine);
    this.watch = ChangeWatch.start(settings, engine);
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder(new EngineSettings(), false);
  }

  /**
   * A builder holding this client's settings and layers, for a variant with its own breakers, caches of its
   * own, threads and in-flight reads, sharing the layers (still the caller's to close). Unlike a fresh
   * builder, it lets {@link Builder#primary} and {@link Builder#secondary} replace the inherited store once.
   */
  public Builder newBuilder() {
    return new Builder(settings.copy(), true);
  }

  // Throwing reads ------------------------------------------------------------------------------

  /**
   * The value of {@code flag} for {@code entity}.
   *
   * @throws FlagNotFoundException if the store that answered does not know the flag
   * @throws InvalidFlagRequestException if an id is null, blank, too long or holds control characters
   * @throws FlagUnavailableException if every layer failed and no last-known-good value is left
   */
  public FlagValue getFlag(String entity, String flag) {
    FlagValue hit = reads.hotHit(entity, flag);
    return hit != null ? hit : ClientReads.valueOrThrow(ClientReads.join(reads.resolveOne(entity, flag)));
  }

  /**
   * The values of {@code flags} for {@code entity}: one call per layer for the whole batch, and only the
   * flags still missing go further down. Unknown flags are absent from the map.
   *
   * @throws InvalidFlagRequestException for bad ids or a batch over the limit
   * @throws FlagUnavailableException if any flag could not be read from any layer
   */
  public Map<String, FlagValue> getFlags(String entity, Collection<String> flags) {
    return ClientReads.join(getFlagsAsync(entity, flags));
  }

  /** {@link #getFlag} without blocking: the future fails with the same exceptions. */
  public CompletableFuture<FlagValue> getFlagAsync(String entity, String flag) {
    return reads.value(entity, flag);
  }

  /** {@link #getFlags} without blocking: the future fails with the same exceptions. */
  public CompletableFuture<Map<String, FlagValue>> getFlagsAsync(String entity, Collection<String> flags) {
    return reads.batch(entity, flags);
  }

  // Reads that never throw ----------------------------------------------------------------------

  /**
   * The value of {@code flag} with where it came from; on any failure the caller's default with the
   * error kind. Never throws. A null {@code defaultValue} is a bad request: the detail has a null value,
   * source DEFAULT and {@link FlagErrorKind#INVALID_REQUEST}, and no layer is read.
   */
  public FlagDetail getFlagDetail(String entity, String flag, FlagValue defaultValue) {
    return getFlagDetailAsync(entity, flag, defaultValue).join();
  }

  /** {@link #getFlagDetail} without blocking; the future never fails. */
  public CompletableFuture<FlagDetail> getFlagDetailAsync(String entity, String flag, FlagValue defaultValue) {
    return reads.detail(entity, flag, defaultValue);
  }

  /** The boolean value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a boolean. */
  public boolean getBoolean(String entity, String flag, boolean defaultValue) {
    FlagValue v = reads.typed(entity, flag, FlagType.BOOLEAN);
    return v == null ? defaultValue : v.booleanValue();
  }

  /** The string value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a string. */
  public String getString(String entity, String flag, String defaultValue) {
    FlagValue v = reads.typed(entity, flag, FlagType.STRING);
    return v == null ? defaultValue : v.stringValue();
  }

  /** The integer value of {@code flag}, or {@code defaultValue} if it cannot be read or is not a LONG. */
  public long getLong(String entity, String flag, long defaultValue) {
    FlagValue v = reads.typed(entity, flag, FlagType.LONG);
    return v == null ? defaultValue : v.longValue();
  }

  /** The numeric value of {@code flag} (DOUBLE, or LONG widened), or {@code defaultValue} if unreadable or not one. */
  public double getDouble(String entity, String flag, double defaultValue) {
    FlagValue v = reads.typed(entity, flag, FlagType.DOUBLE);
    return v == null ? defaultValue : v.doubleValue();
  }

  // Cache control, health, lifecycle ------------------------------------------------------------

  /**
   * Forgets one entry everywhere this client remembers it: every cache tier, the secondary's short-lived
   * cache and the last-known-good value. It wins over loads already in flight: a read that starts after
   * this call returns never joins a load that started before it, and such a load writes nothing to the
   * tiers and nothing to last-known-good (the callers already waiting on it still get its answer: their
   * reads began before the change).
   */
  public void invalidate(String entity, String flag) {
    RequestValidator.checkId("entity", entity);
    RequestValidator.checkId("flag", flag);
    engine.invalidate(entity, flag);
  }

  /**
   * Drops every entry from every cache tier and the secondary's short-lived cache, winning over loads in
   * flight as {@link #invalidate} does. Last-known-good values stay (they are the fallback of an outage);
   * each goes when a store says its flag is not found or {@link #invalidate} names it.
   */
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

  /** Each layer's state now (breaker, connection, last failure), for readiness probes and logs. */
  public ClientStatus status() {
    return engine.listener().status().snapshot();
  }

  /** Calls {@code listener} on each change of a layer's state ({@link StatusListener}) until {@link #close()}. */
  public void addStatusListener(StatusListener listener) {
    engine.listener().status().add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops calling {@code listener}; one never added is ignored. */
  public void removeStatusListener(StatusListener listener) {
    engine.listener().status().remove(listener);
  }

  /**
   * Closes the client's change subscriptions, ends in-flight reads with {@link FlagErrorKind#UNAVAILABLE}
   * (later reads fail the same way) and stops the client's own threads. Idempotent.
   */
  @Override
  public void close() {
    watch.close();
    engine.close();
  }

  @Override
  public String toString() {
    return "FlagClient" + settings.describeLayers();
  }

  /**
   * Builds a {@link FlagClient}. Setters validate at once and name the option and the bad value; setting
   * a single-valued option twice is an {@link IllegalStateException} (except that a builder from
   * {@link FlagClient#newBuilder()} may replace its inherited stores).
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
    /** The longest store call timeout or tier time budget the client honours: 1 minute. */
    public static final Duration MAX_LAYER_TIMEOUT = EngineSettings.MAX_LAYER_TIMEOUT;

    private final EngineSettings s;
    private boolean primaryInherited;
    private boolean secondaryInherited;

    private Builder(EngineSettings settings, boolean inherited) {
      this.s = settings;
      this.primaryInherited = inherited;
      this.secondaryInherited = inherited;
    }

    /**
     * Adds a cache tier below those already added; tiers are read in this order. Put the in-process tier
     * first: only a first tier that is a {@link dev.flagstack.spi.LocalFlagCache} gets the allocation-free
     * hot path.
     */
    public Builder addCache(FlagCache cache) {
      Objects.requireNonNull(cache, "cache");
      if (s.caches().contains(cache)) {
        throw new IllegalStateException("cache tier " + cache.name() + " was already added");
      }
      s.caches().add(cache);
      return this;
    }

    /** The primary store (required): a flags API, or a database read directly. */
    public Builder primary(FlagStore store) {
      Objects.requireNonNull(store, "primary");
      FlagStore current = s.primary();
      if (current != null && current != store && !primaryInherited) {
        throw new IllegalStateException("primary was already set to " + current.name());
      }
      s.primary(store);
      primaryInherited = false;
      return this;
    }

    /** The secondary store (optional), read on a transient primary failure or while its breaker is open. */
    public Builder secondary(FlagStore store) {
      Objects.requireNonNull(store, "secondary");
      FlagStore current = s.secondary();
      if (current != null && current != store && !secondaryInherited) {
        throw new IllegalStateException("secondary was already set to " + current.name());
      }
      s.secondary(store);
      secondaryInherited = false;
      return this;
    }

    /** The primary store's breaker; default {@link BreakerSettings#PRIMARY_DEFAULTS}. */
    public Builder primaryBreaker(BreakerSettings settings) {
      s.primaryBreaker(Objects.requireNonNull(settings, "primaryBreaker"));
      return this;
    }

    /** The breaker of each remote cache tier; default {@link BreakerSettings#CACHE_DEFAULTS}. */
    public Builder cacheBreaker(BreakerSettings settings) {
      s.cacheBreaker(Objects.requireNonNull(settings, "cacheBreaker"));
      return this;
    }

    /**
     * Most calls in flight to the secondary store, counted until the store's own call ends (not when the
     * client stops waiting for it). A read that finds none free waits for one, at most the secondary's
     * call timeout, then skips it. Default {@value #DEFAULT_SECONDARY_MAX_CONCURRENCY}.
     */
    public Builder secondaryMaxConcurrency(int calls) {
      s.secondaryMaxConcurrency(Settings.positive("secondaryMaxConcurrency", calls));
      return this;
    }

    /**
     * How long the secondary's answers (and not-founds) are reused; for a secondary that serves flag
     * definitions, how long a flag's definition is reused for every entity. Default 5 s.
     */
    public Builder secondaryCacheTtl(Duration ttl) {
      s.secondaryCacheTtl(Settings.atLeastOneMilli("secondaryCacheTtl", ttl));
      return this;
    }

    /** Entries in the secondary's short-lived cache; default {@value #DEFAULT_SECONDARY_CACHE_MAX_ENTRIES}. */
    public Builder secondaryCacheMaxEntries(int entries) {
      s.secondaryCacheMaxEntries(Settings.positive("secondaryCacheMaxEntries", entries));
      return this;
    }

    /** Whether to serve the last value seen when every layer fails; default true. */
    public Builder lastKnownGood(boolean enabled) {
      s.lastKnownGood(enabled);
      return this;
    }

    /** Entries kept as last-known-good; default {@value #DEFAULT_LAST_KNOWN_GOOD_MAX_ENTRIES}. */
    public Builder lastKnownGoodMaxEntries(int entries) {
      s.lastKnownGoodMaxEntries(Settings.positive("lastKnownGoodMaxEntries", entries));
      return this;
    }

    /** Oldest last-known-good value served; default 1 hour. */
    public Builder lastKnownGoodMaxAge(Duration age) {
      s.lastKnownGoodMaxAge(Settings.atLeastOneMilli("lastKnownGoodMaxAge", age));
      return this;
    }

    /** Most flags in one batch read; default {@value #DEFAULT_MAX_BATCH_SIZE}. */
    public Builder maxBatchSize(int flags) {
      s.maxBatchSize(Settings.positive("maxBatchSize", flags));
      return this;
    }

    /** The clock for breakers and ages; tests pass one they can advance. Default the system UTC clock. */
    public Builder clock(Clock clock) {
      s.clock(Objects.requireNonNull(clock, "clock"));
      return this;
    }

    /** Receives read outcomes, layer failures and breaker changes; default none. */
    public Builder eventListener(FlagEventListener listener) {
      s.listener(Objects.requireNonNull(listener, "eventListener"));
      return this;
    }

    /**
     * Runs the client's continuations: the rest of a load after a layer answers or times out, and the
     * dependent stages of the futures the client returns. Its {@code execute} must not block or run the
     * task on the calling thread. Never shut down by the client. Default: the client's own cached pool
     * of daemon threads named {@code flagstack-worker-N}, stopped by {@link FlagClient#close()}.
     */
    public Builder executor(Executor executor) {
      s.executor(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Whether to subscribe, at {@link #build()}, to the primary and the secondary if they are
     * {@link dev.flagstack.spi.FlagChangeSource}s, and drop changed flags from every tier as their notices
     * arrive (see the README's "Change notifications"); default true. Off, cached values live until their TTL.
     */
    public Builder watchChanges(boolean watch) {
      s.watchChanges(watch);
      return this;
    }

    /**
     * Builds the client. Never waits for a backend, so a store that is down at start-up does not fail it.
     * Reads each store's {@link FlagStore#callTimeout()} and each remote tier's
     * {@link FlagCache#timeBudget()} once: each must be positive, and one longer than
     * {@link #MAX_LAYER_TIMEOUT} is clamped to it.
     *
     * @throws IllegalStateException if no primary store was set, the primary is also the secondary, or a
     *     store is also one of the cache tiers
     * @throws IllegalArgumentException naming the layer if a timeout or time budget is not positive
     */
    public FlagClient build() {
      return new FlagClient(s.snapshot());
    }
  }
}
