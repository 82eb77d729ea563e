package dev.flagstack.internal;

import dev.flagstack.FlagException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads in flight, one per (entity, flag): concurrent misses of one key share one load. The first caller
 * registers a future (per-bin locking, no global lock); the load removes the entry before completing it,
 * so a caller that has its answer never finds the finished load still registered.
 */
final class InFlightLoads {
  private final ConcurrentHashMap<FlagKey, CompletableFuture<Resolution>> loads = new ConcurrentHashMap<>();

  /**
   * Registers {@code mine} for {@code key} and returns null, or returns the load already in flight for
   * it, which the caller should wait on instead.
   */
  CompletableFuture<Resolution> registerOrJoin(FlagKey key, CompletableFuture<Resolution> mine) {
    CompletableFuture<Resolution> existing = loads.putIfAbsent(key, mine);
    if (existing != null && existing.isDone()) {
      // Its load has finished and is removing it; do not serve a result older than this read.
      loads.remove(key, existing);
      existing = loads.putIfAbsent(key, mine);
    }
    return existing;
  }

  /** Ends one key's load: the entry goes first, then the waiters get {@code resolution}. */
  void finish(FlagKey key, CompletableFuture<Resolution> load, Resolution resolution) {
    loads.remove(key, load);
    load.complete(resolution);
  }

  /** Unregisters the load of one key, so later reads start a new one; its waiters still get its answer. */
  void detach(String entity, String flag) {
    loads.remove(FlagKey.of(entity, flag));
  }

  /** Unregisters the loads of {@code flags}, for every entity; their waiters still get their answers. */
  void detachFlags(Set<String> flags) {
    loads.keySet().removeIf(key -> flags.contains(key.flag()));
  }

  /** Unregisters every load. */
  void detachAll() {
    loads.clear();
  }

  /** Ends every load with {@code error}. */
  void failAll(FlagException error) {
    for (Map.Entry<FlagKey, CompletableFuture<Resolution>> entry : loads.entrySet()) {
      loads.remove(entry.getKey(), entry.getValue());
      entry.getValue().complete(Resolution.failed(error));
    }
  }

  /** How many keys have a load registered now. */
  int size() {
    return loads.size();
  }
}
