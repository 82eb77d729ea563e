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
 * <p>Three kinds of counter move a key's generation: one per (entity, flag), for {@code invalidate}; one per
 * flag, for a change notice that names the flag (it holds for every entity); and one for everything.
 * Keys share 1,024 striped counters per kind, so memory is fixed; two keys on one stripe only cost an
 * occasional skipped write-back, never a stale value.
 */
final class Generations {
  private static final int STRIPES = 1024;

  private final AtomicLongArray keys = new AtomicLongArray(STRIPES);
  private final AtomicLongArray flags = new AtomicLongArray(STRIPES);
  private final AtomicLong all = new AtomicLong();

  private static int stripe(int h) {
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  private static int stripe(String entity, String flag) {
    return stripe(31 * entity.hashCode() + flag.hashCode());
  }

  /** The key's generation now. Every counter only grows, so their sum changes whenever any does. */
  long of(String entity, String flag) {
    return keys.get(stripe(entity, flag)) + flags.get(stripe(flag.hashCode())) + all.get();
  }

  boolean unchanged(String entity, String flag, long seen) {
    return of(entity, flag) == seen;
  }

  /** Moves the generation of one (entity, flag). */
  void bump(String entity, String flag) {
    keys.incrementAndGet(stripe(entity, flag));
  }

  /** Moves the generation of {@code flag} for every entity. */
  void bumpFlag(String flag) {
    flags.incrementAndGet(stripe(flag.hashCode()));
  }

  /** Moves every key's generation. */
  void bumpAll() {
    all.incrementAndGet();
  }
}
