package dev.flagstack;

import dev.flagstack.spi.FlagCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process stand-in for a remote cache tier, for the core's resolution matrix only: it holds
 * values and can be told to miss, hang (a slow cache) or fail (a cache that is down).
 */
public class FakeRemoteCache implements FlagCache {
  public enum Mode { NORMAL, MISS, SLOW, DOWN }

  private final String name;
  private final Duration budget;
  private final Map<String, FlagValue> values = new ConcurrentHashMap<>();
  public final AtomicInteger reads = new AtomicInteger();
  public final AtomicInteger writes = new AtomicInteger();
  /** Each change notice the tier heard: {@code [flags]@atMillis}, or {@code *@atMillis} for everything. */
  public final java.util.List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, Long> stamps = new ConcurrentHashMap<>();
  private volatile Mode mode = Mode.NORMAL;

  public FakeRemoteCache(String name, Duration budget) {
    this.name = name;
    this.budget = budget;
  }

  public FakeRemoteCache mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  public FlagValue stored(String entity, String flag) {
    return values.get(entity + "\u0000" + flag);
  }

  public void store(String entity, String flag, FlagValue value) {
    values.put(entity + "\u0000" + flag, value);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Duration timeBudget() {
    return budget;
  }

  @Override
  public CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    reads.incrementAndGet();
    switch (mode) {
      case SLOW:
        return new CompletableFuture<>();
      case DOWN:
        return CompletableFuture.failedFuture(new java.io.IOException(name + " connection refused"));
      case MISS:
        return CompletableFuture.completedFuture(Map.of());
      default:
        Map<String, FlagValue> found = new HashMap<>();
        for (String flag : flags) {
          FlagValue v = stored(entity, flag);
          if (v != null) {
            found.put(flag, v);
          }
        }
        return CompletableFuture.completedFuture(found);
    }
  }

  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> entries) {
    writes.incrementAndGet();
    switch (mode) {
      case SLOW:
        return new CompletableFuture<>();
      case DOWN:
        return CompletableFuture.failedFuture(new java.io.IOException(name + " connection refused"));
      default:
        entries.forEach((flag, v) -> store(entity, flag, v));
        return CompletableFuture.completedFuture(null);
    }
  }

  /** Records the load stamp beside each value, as a shared tier does. */
  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> entries, long loadStartedMillis) {
    entries.keySet().forEach(flag -> stamps.put(entity + "\u0000" + flag, loadStartedMillis));
    return putAll(entity, entries);
  }

  /** The load stamp the client passed with the stored value, or null. */
  public Long stamp(String entity, String flag) {
    return stamps.get(entity + "\u0000" + flag);
  }

  /** Drops the flags for every entity, and records when the client heard of the change. */
  @Override
  public void flagsChanged(Set<String> flags, long atMillis) {
    changes.add(new java.util.TreeSet<>(flags) + "@" + atMillis);
    values.keySet().removeIf(key -> flags.contains(key.substring(key.indexOf('\u0000') + 1)));
  }

  @Override
  public void everythingChanged(long atMillis) {
    changes.add("*@" + atMillis);
    values.clear();
  }

  @Override
  public void invalidate(String entity, String flag) {
    values.remove(entity + "\u0000" + flag);
  }

  @Override
  public void invalidateAll() {
    values.clear();
  }
}
