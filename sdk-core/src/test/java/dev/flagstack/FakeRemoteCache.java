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

  @Override
  public void invalidate(String entity, String flag) {
    values.remove(entity + "\u0000" + flag);
  }

  @Override
  public void invalidateAll() {
    values.clear();
  }
}
