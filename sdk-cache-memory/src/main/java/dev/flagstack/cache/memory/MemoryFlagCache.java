package dev.flagstack.cache.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagValue;
import dev.flagstack.internal.FlagKey;
import dev.flagstack.internal.Tickers;
import dev.flagstack.spi.LocalFlagCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An in-process cache tier: bounded in size, each entry expiring a fixed time after it was written.
 *
 * <p>A hit ({@link #getIfPresent}) is a lock-free Caffeine lookup with a per-thread probe key: it
 * allocates nothing and never blocks. Writes never block on I/O. Thread-safe.
 */
public final class MemoryFlagCache implements LocalFlagCache {
  /** Most entries kept: {@value}. */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;
  /** How long an entry lives after it was written: 30 s. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  /** The tier's name: {@value}. */
  public static final String DEFAULT_NAME = "memory";

  private final String name;
  private final long maximumSize;
  private final Duration ttl;
  private final Cache<FlagKey, FlagValue> cache;

  private MemoryFlagCache(Builder b) {
    this.name = b.name;
    this.maximumSize = b.maximumSize;
    this.ttl = b.ttl;
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder()
        .maximumSize(b.maximumSize)
        .expireAfterWrite(b.ttl);
    caffeine.ticker(b.clock != null ? Tickers.of(b.clock) : Ticker.systemTicker());
    this.cache = caffeine.build();
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
    return cache.getIfPresent(FlagKey.lookup(entity, flag));
  }

  @Override
  public void put(String entity, String flag, FlagValue value) {
    cache.put(FlagKey.of(entity, flag), value);
  }

  @Override
  public void invalidate(String entity, String flag) {
    cache.invalidate(FlagKey.lookup(entity, flag));
  }

  @Override
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Entries currently held (approximate, as Caffeine's estimate). */
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public String toString() {
    return "MemoryFlagCache{name=" + name + ", maximumSize=" + maximumSize + ", ttl=" + ttl + '}';
  }

  /** Builds a {@link MemoryFlagCache}; setters validate at once. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private long maximumSize = DEFAULT_MAXIMUM_SIZE;
    private Duration ttl = DEFAULT_TTL;
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

    /** Most entries kept; at least 1. Default {@value #DEFAULT_MAXIMUM_SIZE}. */
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
