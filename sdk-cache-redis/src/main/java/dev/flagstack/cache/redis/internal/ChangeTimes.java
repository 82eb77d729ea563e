package dev.flagstack.cache.redis.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When this process heard that each flag changed, and a floor for "everything changed", in memory: the
 * tier refuses a stored value whose load stamp is older than its flag's change time plus the clock skew
 * allowance, so no key is ever enumerated and a hit costs one map lookup more than before.
 *
 * <p>Bounded: when a new flag would take the map past {@code maxFlags} entries, entries too old to matter
 * are dropped (no value stored before them can still be alive: older than the change plus the allowance,
 * the Redis TTL and the longest load), and if that is not enough the floor is raised to the new change
 * time, which refuses every value loaded before it and makes every entry redundant. Thread-safe; both
 * times only grow.
 */
public final class ChangeTimes {
  /** Most flags a tier remembers one by one: {@value}. */
  public static final int MAX_FLAGS = 100_000;
  /** No change heard: every stamp is accepted. */
  static final long NONE = Long.MIN_VALUE;
  /**
   * The longest from a load's start to its write-back reaching Redis: the client clamps each layer's
   * timeout to 1 minute, and a load passes a remote tier, the primary and a write; with margin.
   */
  static final long MAX_LOAD_MILLIS = 300_000;

  private final ConcurrentHashMap<String, Long> flags = new ConcurrentHashMap<>();
  private final AtomicLong floor = new AtomicLong(NONE);
  private final int maxFlags;
  private final long skewMillis;
  private final long irrelevantAfterMillis;

  /**
   * @param maxFlags most flags remembered one by one
   * @param skewMillis how far apart the clocks of the processes sharing Redis may be
   * @param ttlMillis how long a value lives in Redis
   */
  public ChangeTimes(int maxFlags, long skewMillis, long ttlMillis) {
    if (maxFlags < 1) {
      throw new IllegalArgumentException("maxFlags must be at least 1, was " + maxFlags);
    }
    this.maxFlags = maxFlags;
    this.skewMillis = skewMillis;
    this.irrelevantAfterMillis = skewMillis + ttlMillis + MAX_LOAD_MILLIS;
  }

  /** {@code changed} changed, as heard at {@code atMillis}. */
  public void flagsChanged(Set<String> changed, long atMillis) {
    for (String flag : changed) {
      if (flag == null) {
        continue;
      }
      if (!flags.containsKey(flag) && flags.size() >= maxFlags) {
        makeRoom(atMillis);
        if (flags.size() >= maxFlags) {
          raiseFloor(atMillis);
          continue;
        }
      }
      flags.merge(flag, atMillis, Math::max);
    }
  }

  /** Anything may have changed, as heard at {@code atMillis}. */
  public void everythingChanged(long atMillis) {
    raiseFloor(atMillis);
  }

  /** Whether a value of {@code flag} loaded at {@code stampMillis} may be served. */
  public boolean accepts(String flag, long stampMillis) {
    long changed = floor.get();
    if (!flags.isEmpty()) {
      Long at = flags.get(flag);
      if (at != null && at > changed) {
        changed = at;
      }
    }
    return changed == NONE || stampMillis >= saturatedAdd(changed, skewMillis);
  }

  /** Flags remembered one by one now. */
  public int size() {
    return flags.size();
  }

  /** The time before which every value is refused (less the allowance), or {@link #NONE}. */
  public long floor() {
    return floor.get();
  }

  private void raiseFloor(long atMillis) {
    long f = floor.accumulateAndGet(atMillis, Math::max);
    // Entries at or below the floor say nothing the floor does not.
    for (Map.Entry<String, Long> e : flags.entrySet()) {
      if (e.getValue() <= f) {
        flags.remove(e.getKey(), e.getValue());
      }
    }
  }

  private void makeRoom(long nowMillis) {
    for (Map.Entry<String, Long> e : flags.entrySet()) {
      if (saturatedAdd(e.getValue(), irrelevantAfterMillis) < nowMillis) {
        flags.remove(e.getKey(), e.getValue());
      }
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }
}
