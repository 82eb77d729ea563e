package dev.flagstack.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.CacheInvalidator;
import dev.flagstack.spi.FlagCache;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polling with a deadline (never a fixed sleep), a recording invalidator, and small helpers. */
final class TestSupport {
  private TestSupport() {}

  /** Polls every 50 ms until {@code condition} holds; fails after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  static void awaitConnected(RedisFlagCache cache) {
    await("the tier is connected", Duration.ofSeconds(10), cache::isConnected);
  }

  /** Whether a put then a get of one value succeeds right now. */
  static boolean roundTripWorks(RedisFlagCache cache, String entity, String flag) {
    try {
      cache.putAll(entity, Map.of(flag, FlagValue.of(flag))).toCompletableFuture().get(1, TimeUnit.SECONDS);
      Map<String, FlagValue> got = cache.getAll(entity, Set.of(flag)).toCompletableFuture().get(1, TimeUnit.SECONDS);
      return FlagValue.of(flag).equals(got.get(flag));
    } catch (Exception e) {
      return false;
    }
  }

  static Map<String, FlagValue> get(RedisFlagCache cache, String entity, String... flags) {
    return cache.getAll(entity, Set.of(flags)).toCompletableFuture().join();
  }

  static void put(RedisFlagCache cache, String entity, Map<String, FlagValue> values) {
    cache.putAll(entity, values).toCompletableFuture().join();
  }

  /** The time {@code getAll} takes to fail; asserts that it does fail. */
  static long millisToFail(RedisFlagCache cache, String entity, String flag) {
    long start = System.nanoTime();
    Throwable error = null;
    try {
      cache.getAll(entity, Set.of(flag)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      error = e;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(error).as("getAll against an unavailable Redis must fail").isNotNull();
    assertThat(error).isNotInstanceOf(java.util.concurrent.TimeoutException.class);
    return millis;
  }

  /** A "tiers above" that records what it is asked to evict, and passes it on to a real tier if given one. */
  static final class RecordingInvalidator implements CacheInvalidator {
    final List<String> events = new CopyOnWriteArrayList<>();
    private final FlagCache target;

    RecordingInvalidator() {
      this(null);
    }

    /** Records, then evicts from {@code target} (a real tier above), if any. */
    RecordingInvalidator(FlagCache target) {
      this.target = target;
    }

    @Override
    public void invalidate(String entity, String flag) {
      events.add(entity + "/" + flag);
      if (target != null) {
        target.invalidate(entity, flag);
      }
    }

    @Override
    public void invalidateAll() {
      events.add("*");
      if (target != null) {
        target.invalidateAll();
      }
    }

    long flushes() {
      return events.stream().filter("*"::equals).count();
    }
  }
}
