package dev.flagstack.cache.memory;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.internal.EntryStore;
import dev.flagstack.internal.Tickers;
import dev.flagstack.spi.EntryRefresher;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * An in-process cache tier: bounded in size, each entry expiring a fixed time after it was written, and
 * reloaded in the background when it is read late in its life.
 *
 * <h2>Hits</h2>
 * Entries are kept per flag, then per entity, in Caffeine caches, so a hit ({@link #getIfPresent}) is two
 * lock-free lookups on the ids the caller passed in. It never blocks, allocates nothing and keeps no
 * per-thread state: a server running one virtual thread per request pays nothing extra per request.
 *
 * <h2>Refresh ahead of expiry</h2>
 * A read of an entry in the last {@link Builder#refreshAhead(double) fraction} of its life (by default
 * the last {@value #DEFAULT_REFRESH_AHEAD} of its TTL: the last 6 s of 30 s) still returns the entry at once,
 * and asks the client this tier belongs to for a background reload, through the client's usual layers,
 * breakers and fallbacks, shared with any load of that key already in flight. The reload's value replaces
 * the entry and starts a new TTL, so a key read steadily never expires and its readers never wait on a
 * remote layer. Each stored value asks at most once: if its reload fails, the value is served until it
 * expires, after which the next read loads it as any miss does. An entry nobody reads is never reloaded.
 * Each entry carries its own expiry and refresh deadlines on the tier's clock, and a hit reads the clock
 * once to check both (Caffeine is given no expiry of its own, so this is the only clock read, as before).
 *
 * <h2>Size</h2>
 * All flags share one budget of {@link Builder#maximumSize} entries: no flag may use more, and when the
 * total goes over it the flag holding the most entries gives up the ones Caffeine would evict first. Like
 * Caffeine's own bound, the total may exceed it briefly under concurrent writes. One small Caffeine cache
 * is kept for each flag ever stored. An expired entry nobody reads again stays (and counts) until a write
 * replaces it or the budget evicts it; being the oldest written, such entries are evicted first.
 *
 * <p>Writes never block on I/O. Thread-safe; may be shared by several clients (each binds itself, and a
 * reload goes to the first one still open).
 */
public final class MemoryFlagCache implements LocalFlagCache {
  /** Most entries kept, across all flags: {@value}. */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;
  /** How long an entry lives after it was written: 30 s. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  /** The fraction of the TTL, at its end, in which a read asks for a background reload: {@value}. */
  public static final double DEFAULT_REFRESH_AHEAD = 0.2;
  /** The tier's name: {@value}. */
  public static final String DEFAULT_NAME = "memory";

  private final String name;
  private final long maximumSize;
  private final Duration ttl;
  private final double refreshAhead;
  private final EntryStore entries;

  private MemoryFlagCache(Builder b) {
    this.name = b.name;
    this.maximumSize = b.maximumSize;
    this.ttl = b.ttl;
    this.refreshAhead = b.refreshAhead;
    Ticker ticker = b.clock != null ? Tickers.of(b.clock) : Ticker.systemTicker();
    long ttlNanos = saturatedNanos(b.ttl);
    this.entries = new EntryStore(b.maximumSize, ttlNanos, (long) (ttlNanos * b.refreshAhead), ticker);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public FlagValue getIfPresent(String entity, String flag) {
    return entries.get(entity, flag);
  }

  @Override
  public void put(String entity, String flag, FlagValue value) {
    entries.put(entity, flag, value);
  }

  @Override
  public void invalidate(String entity, String flag) {
    entries.invalidate(entity, flag);
  }

  @Override
  public void invalidateAll() {
    entries.invalidateAll();
  }

  /** Drops {@code flags} for every entity. */
  @Override
  public void flagsChanged(Set<String> flags, long atMillis) {
    for (String flag : flags) {
      entries.invalidateFlag(flag);
    }
  }

  /** Drops everything. */
  @Override
  public void everythingChanged(long atMillis) {
    entries.invalidateAll();
  }

  @Override
  public void bindRefresher(EntryRefresher refresher) {
    entries.refreshers().add(Objects.requireNonNull(refresher, "refresher"));
  }

  /** Entries currently held (approximate, as Caffeine's estimate). */
  public long size() {
    return entries.size();
  }

  @Override
  public String toString() {
    return "MemoryFlagCache{name=" + name + ", maximumSize=" + maximumSize + ", ttl=" + ttl
        + ", refreshAhead=" + refreshAhead + '}';
  }

  /** Builds a {@link MemoryFlagCache}; setters validate at once. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private long maximumSize = DEFAULT_MAXIMUM_SIZE;
    private Duration ttl = DEFAULT_TTL;
    private double refreshAhead = DEFAULT_REFRESH_AHEAD;
    private Clock clock;

    private Builder() {}

    /** The tier's name in details, events and logs; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** Most entries kept, across all flags; at least 1. Default {@value #DEFAULT_MAXIMUM_SIZE}. */
    public Builder maximumSize(long entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("maximumSize must be at least 1, was " + entries);
      }
      this.maximumSize = entries;
      return this;
    }

    /** How long an entry lives after it was written; at least 1 ms. Default 30 s. */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toMillis() < 1) {
        throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /**
     * The fraction of the TTL, at the end of an entry's life, in which a read asks for a background
     * reload: 0.2 reloads an entry read in its last 20%. At least 0 (0 never reloads ahead) and below 1.
     * Default {@value #DEFAULT_REFRESH_AHEAD}.
     */
    public Builder refreshAhead(double fractionOfTtl) {
      if (!(fractionOfTtl >= 0 && fractionOfTtl < 1)) {
        throw new IllegalArgumentException("refreshAhead must be at least 0 and below 1, was " + fractionOfTtl);
      }
      this.refreshAhead = fractionOfTtl;
      return this;
    }

    /** The clock entries expire by; tests pass one they can advance. Default the system ticker. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public MemoryFlagCache build() {
      return new MemoryFlagCache(this);
    }
  }
}
