package dev.flagstack.cache.memory.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagValue;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One flag's entries: a Caffeine cache keyed by the entity id, so a hit is a lookup on a String the
 * caller already holds, with nothing to allocate.
 *
 * <p>It is also the cache's {@link Expiry}: each entry lives {@code ttl} after it was written, and a read
 * tells it how much of that time is left, on the time Caffeine has just read for its own expiry check, so
 * refresh-ahead costs the hit one comparison and no clock read. The first read with at most
 * {@code refreshWindow} left asks for a reload (once per stored value: a reload that fails is not retried,
 * and the value is served until it expires).
 */
final class FlagEntries implements Expiry<String, Entry> {
  private final String flag;
  private final long ttlNanos;
  private final long refreshWindowNanos;
  private final Refreshers refreshers;
  private final Cache<String, Entry> cache;

  FlagEntries(String flag, long maximumSize, long ttlNanos, long refreshWindowNanos, Ticker ticker,
      Refreshers refreshers, AtomicLong entries) {
    this.flag = flag;
    this.ttlNanos = ttlNanos;
    this.refreshWindowNanos = refreshWindowNanos;
    this.refreshers = refreshers;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfter(this)
        .ticker(ticker)
        .<String, Entry>removalListener((entity, entry, cause) -> {
          if (cause != RemovalCause.REPLACED) {
            entries.decrementAndGet();
          }
        })
        .build();
  }

  FlagValue get(String entity) {
    Entry e = cache.getIfPresent(entity);
    return e == null ? null : e.value;
  }

  /** Stores a value; true if the entity had no live entry before. */
  boolean put(String entity, FlagValue value) {
    return cache.asMap().put(entity, new Entry(value)) == null;
  }

  void invalidate(String entity) {
    cache.invalidate(entity);
  }

  void invalidateAll() {
    cache.invalidateAll();
  }

  long size() {
    return cache.estimatedSize();
  }

  /** Drops up to {@code count} of the entries Caffeine would evict first. */
  void evictColdest(long count) {
    cache.policy().eviction().ifPresent(eviction -> {
      Map<String, Entry> coldest = eviction.coldest((int) Math.min(count, Integer.MAX_VALUE));
      coldest.forEach(cache.asMap()::remove);
    });
  }

  @Override
  public long expireAfterCreate(String entity, Entry entry, long currentTime) {
    return ttlNanos;
  }

  @Override
  public long expireAfterUpdate(String entity, Entry entry, long currentTime, long currentDuration) {
    return ttlNanos;
  }

  @Override
  public long expireAfterRead(String entity, Entry entry, long currentTime, long currentDuration) {
    if (currentDuration <= refreshWindowNanos && entry.claimRefresh()) {
      refreshers.refresh(entity, flag);
    }
    return currentDuration;
  }
}
