package dev.flagstack.cache.memory.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagValue;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One flag's entries: a Caffeine cache keyed by the entity id, so a hit is a lookup on a String the
 * caller already holds, with nothing to allocate.
 *
 * <p>Each entry carries its own deadlines, and a hit reads the ticker once to check both: past
 * {@code expiresAt} it is a miss, past {@code refreshAt} the first such read asks for a reload (once per
 * stored value: a reload that fails is not retried, and the value is served until it expires). Caffeine
 * itself is given no expiry, so it reads no clock on a hit, and while a flag's cache is under half the
 * budget it takes its read fast path (no read buffer, no maintenance). An expired entry nobody reads stays
 * until a write replaces it or the size budget evicts it; entries are written in order of age, so those
 * are the first to go.
 */
final class FlagEntries {
  /** About 146 years (2^62 ns): deadlines are compared by difference, which stays exact below 2^63 ns. */
  static final long MAX_TTL_NANOS = Long.MAX_VALUE >> 1;

  private final String flag;
  private final long ttlNanos;
  private final long refreshWindowNanos;
  private final Ticker ticker;
  private final Refreshers refreshers;
  private final Cache<String, Entry> cache;

  FlagEntries(String flag, long maximumSize, long ttlNanos, long refreshWindowNanos, Ticker ticker,
      Refreshers refreshers, AtomicLong entries) {
    this.flag = flag;
    this.ttlNanos = Math.min(ttlNanos, MAX_TTL_NANOS);
    this.refreshWindowNanos = Math.min(refreshWindowNanos, this.ttlNanos);
    this.ticker = ticker;
    this.refreshers = refreshers;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .<String, Entry>removalListener((entity, entry, cause) -> {
          if (cause != RemovalCause.REPLACED) {
            entries.decrementAndGet();
          }
        })
        .build();
  }

  FlagValue get(String entity) {
    Entry e = cache.getIfPresent(entity);
    if (e == null) {
      return null;
    }
    long now = ticker.read();
    if (now - e.refreshAt < 0) {
      return e.value;
    }
    if (now - e.expiresAt >= 0) {
      return null;
    }
    if (e.claimRefresh()) {
      refreshers.refresh(entity, flag);
    }
    return e.value;
  }

  /** Stores a value; true if the entity had no entry before. */
  boolean put(String entity, FlagValue value) {
    long now = ticker.read();
    long expiresAt = now + ttlNanos;
    return cache.asMap().put(entity, new Entry(value, expiresAt - refreshWindowNanos, expiresAt)) == null;
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
}
