package dev.flagstack.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Invalidation generations, so that an eviction wins over every load that started before it.
 *
 * <p>A load notes {@link #of} for each key before it reads any layer. An invalidation {@link #bump}s the
 * key's generation <em>before</em> it evicts anything. Before a load writes a value back or remembers it,
 * it checks {@link #unchanged}; and after the write has landed it checks again and evicts what it wrote
 * if the generation moved meanwhile. Either the load sees the bump, or the bump (and so the eviction that
 * follows it) came after the write landed: a value read before an invalidation never outlives it.
 *
 * <p>Keys share 1,024 striped counters plus one counter for everything, so memory is fixed; two keys on
 * one stripe only cost an occasional skipped write-back, never a stale value.
 */
final class Generations {
  private static final int STRIPES = 1024;

  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
  private final AtomicLong all = new AtomicLong();

  private static int stripe(String entity, String flag) {
    int h = 31 * entity.hashCode() + flag.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  /** The key's generation now. Both counters only grow, so their sum changes whenever either does. */
  long of(String entity, String flag) {
    return stripes.get(stripe(entity, flag)) + all.get();
  }

  boolean unchanged(String entity, String flag, long seen) {
    return of(entity, flag) == seen;
  }

  void bump(String entity, String flag) {
    stripes.incrementAndGet(stripe(entity, flag));
  }

  void bumpAll() {
    all.incrementAndGet();
  }
}
