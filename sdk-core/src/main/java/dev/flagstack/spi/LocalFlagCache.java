package dev.flagstack.spi;

import dev.flagstack.FlagValue;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-process cache tier, read synchronously on the flag-read hot path.
 *
 * <p>{@link #getIfPresent} must be lock-free, must not block and should not allocate on a hit: it is
 * called on every flag read. The asynchronous methods of {@link FlagCache} have default implementations
 * in terms of the synchronous ones.
 */
public interface LocalFlagCache extends FlagCache {
  /** The cached value, or null. Never blocks. */
  FlagValue getIfPresent(String entity, String flag);

  /** Stores one value. Never blocks on I/O. */
  void put(String entity, String flag, FlagValue value);

  /**
   * Called once when a client is built, with a handle that reloads an entry in the background. A tier that
   * refreshes ahead of expiry calls it from a read of an entry late in its life, at most once per stored
   * value, and keeps serving that value meanwhile. A tier shared by several clients is bound to each. The
   * default ignores it.
   */
  default void bindRefresher(EntryRefresher refresher) {}

  @Override
  default CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    Map<String, FlagValue> found = new java.util.HashMap<>();
    for (String flag : flags) {
      FlagValue value = getIfPresent(entity, flag);
      if (value != null) {
        found.put(flag, value);
      }
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  default CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values) {
    values.forEach((flag, value) -> put(entity, flag, value));
    return CompletableFuture.completedFuture(null);
  }
}
