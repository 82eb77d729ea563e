package dev.flagstack.cache.memory.internal;

import dev.flagstack.FlagValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A stored value with its two deadlines on the tier's ticker, and whether a read late in its life has
 * already asked for its reload.
 */
final class Entry {
  private static final VarHandle REFRESH_CLAIMED;

  static {
    try {
      REFRESH_CLAIMED = MethodHandles.lookup().findVarHandle(Entry.class, "refreshClaimed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final FlagValue value;
  /** From this time on a read asks for a reload. */
  final long refreshAt;
  /** From this time on the entry is gone. */
  final long expiresAt;
  @SuppressWarnings("unused") // through REFRESH_CLAIMED
  private volatile int refreshClaimed;

  Entry(FlagValue value, long refreshAt, long expiresAt) {
    this.value = value;
    this.refreshAt = refreshAt;
    this.expiresAt = expiresAt;
  }

  /** True for exactly one caller over the entry's life: the read that asks for its reload. */
  boolean claimRefresh() {
    return refreshClaimed == 0 && REFRESH_CLAIMED.compareAndSet(this, 0, 1);
  }
}
