package dev.flagstack.cache.memory.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagValue;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The in-process tier's entries: flag, then entity. Each flag has its own Caffeine cache keyed by entity
 * ({@link FlagEntries}), so a hit is two lookups on the Strings the caller passed in: no composite key, no
 * per-thread probe, nothing allocated. Dropping one flag for every entity drops one cache.
 *
 * <p><b>Size.</b> The caches share one budget of {@code maximumSize} entries. No flag's cache may hold
 * more than the budget (Caffeine bounds each); when a write takes the total over it, the write trims the
 * largest flag's cache by the excess, taking the entries its own policy would evict first. So a flag with
 * many entities gives way before one with few, and a new flag always finds room. Like Caffeine's own
 * bound, the total may exceed the budget briefly while writes race. One small Caffeine cache is kept per
 * flag ever stored (flags come from a store's answers, so this is bounded by the flag catalogue).
 */
public final class EntryStore {
  private final ConcurrentHashMap<String, FlagEntries> byFlag = new ConcurrentHashMap<>();
  private final Function<String, FlagEntries> newFlag;
  private final long maximumSize;
  /** Entries stored and not yet reported removed: a cheap hint that the budget may be exceeded. */
  private final AtomicLong entries = new AtomicLong();
  private final AtomicBoolean trimming = new AtomicBoolean();
  private final Refreshers refreshers = new Refreshers();

  /**
   * @param refreshWindowNanos a read of an entry with at most this long left asks for its reload; 0 never
   */
  public EntryStore(long maximumSize, long ttlNanos, long refreshWindowNanos, Ticker ticker) {
    this.maximumSize = maximumSize;
    this.newFlag = flag -> new FlagEntries(flag, maximumSize, ttlNanos, refreshWindowNanos, ticker, refreshers,
        entries);
  }

  public Refreshers refreshers() {
    return refreshers;
  }

  /** The value, or null. Lock-free; allocates nothing. */
  public FlagValue get(String entity, String flag) {
    if (entity == null || flag == null) {
      return null;
    }
    FlagEntries entriesOfFlag = byFlag.get(flag);
    return entriesOfFlag == null ? null : entriesOfFlag.get(entity);
  }

  public void put(String entity, String flag, FlagValue value) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(value, "value");
    FlagEntries entriesOfFlag = byFlag.get(Objects.requireNonNull(flag, "flag"));
    if (entriesOfFlag == null) {
      entriesOfFlag = byFlag.computeIfAbsent(flag, newFlag);
    }
    if (entriesOfFlag.put(entity, value) && entries.incrementAndGet() > maximumSize) {
      trim();
    }
  }

  public void invalidate(String entity, String flag) {
    FlagEntries entriesOfFlag = flag == null || entity == null ? null : byFlag.get(flag);
    if (entriesOfFlag != null) {
      entriesOfFlag.invalidate(entity);
    }
  }

  /** Drops one flag for every entity. */
  public void invalidateFlag(String flag) {
    FlagEntries entriesOfFlag = flag == null ? null : byFlag.get(flag);
    if (entriesOfFlag != null) {
      entriesOfFlag.invalidateAll();
    }
  }

  public void invalidateAll() {
    // The caches stay: a write racing with this call must land somewhere later calls can reach.
    byFlag.values().forEach(FlagEntries::invalidateAll);
  }

  /** Entries held, as Caffeine estimates them (expired ones not yet cleaned up included). */
  public long size() {
    long total = 0;
    for (FlagEntries entriesOfFlag : byFlag.values()) {
      total += entriesOfFlag.size();
    }
    return total;
  }

  /** Flags that have (or had) entries. */
  public int flagCount() {
    return byFlag.size();
  }

  private void trim() {
    if (!trimming.compareAndSet(false, true)) {
      return; // another write is trimming
    }
    try {
      long total = 0;
      FlagEntries largest = null;
      long largestSize = 0;
      for (FlagEntries entriesOfFlag : byFlag.values()) {
        long size = entriesOfFlag.size();
        total += size;
        if (size > largestSize) {
          largest = entriesOfFlag;
          largestSize = size;
        }
      }
      if (largest != null && total > maximumSize) {
        largest.evictColdest(total - maximumSize);
      }
    } finally {
      trimming.set(false);
    }
  }
}
