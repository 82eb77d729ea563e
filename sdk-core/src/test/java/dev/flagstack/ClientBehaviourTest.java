package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Batches, write-back, tiers, last-known-good, listeners, typed reads and close. */
class ClientBehaviourTest {

  @Test
  void batchMakesOneCallPerLayerAndOnlyMissingFlagsGoFurther() {
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofMillis(200));
    redis.store("e", "b", FlagValue.of("cached-b"));
    InMemoryFlagStore primary = new InMemoryFlagStore("api")
        .put("a", FlagValue.of("A")).put("b", FlagValue.of("B")).put("c", FlagValue.of("C"));
    AtomicInteger askedFor = new AtomicInteger();
    FlagStore counting = Stores.answering("api", (entity, flags) -> {
      askedFor.addAndGet(flags.size());
      assertThat(flags).doesNotContain("b");
      return primary.getFlags(entity, flags);
    });
    try (FlagClient client = FlagClient.builder().addCache(redis).primary(counting).build()) {
      Map<String, FlagValue> values = client.getFlags("e", List.of("a", "b", "c", "unknown", "a"));
      assertThat(values).containsOnlyKeys("a", "b", "c");
      assertThat(values.get("b")).isEqualTo(FlagValue.of("cached-b"));
      assertThat(redis.reads.get()).isEqualTo(1);
      assertThat(primary.calls()).isEqualTo(1);
      assertThat(askedFor.get()).isEqualTo(3);
      assertThat(redis.stored("e", "a")).as("written back").isEqualTo(FlagValue.of("A"));
    }
  }

  @Test
  void unknownFlagIsNotFoundAndDoesNotFallBack() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api");
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).build()) {
      assertThatThrownBy(() -> client.getFlag("e", "f"))
          .isInstanceOf(FlagNotFoundException.class).hasMessageContaining("f");
      assertThat(secondary.calls()).isZero();
    }
  }

  @Test
  void remoteHitFillsTheMemoryTierAbove() {
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofMillis(200));
    redis.store("e", "f", FlagValue.of("v"));
    InMemoryFlagStore primary = new InMemoryFlagStore("api");
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(primary).build()) {
      assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).layer()).isEqualTo("redis");
      assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).layer()).isEqualTo("memory");
      assertThat(redis.reads.get()).isEqualTo(1);
      assertThat(primary.calls()).isZero();
    }
  }

  @Test
  void whenRedisFailsMemoryKeepsServingAndRedisIsSkippedWhileItsBreakerIsOpen() {
    MutableClock clock = new MutableClock();
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofMillis(200)).mode(FakeRemoteCache.Mode.DOWN);
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(primary)
        .clock(clock).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(client.getBoolean("e" + i, "f", false)).isTrue();
      }
      assertThat(client.cacheBreakerState("redis")).isEqualTo(BreakerState.OPEN);
      int redisReads = redis.reads.get();
      for (int i = 0; i < 10; i++) {
        assertThat(client.getBoolean("e" + i, "f", false)).isTrue();
        assertThat(client.getBoolean("new" + i, "f", false)).isTrue();
      }
      assertThat(redis.reads.get()).as("open breaker skips redis").isEqualTo(redisReads);
      redis.mode(FakeRemoteCache.Mode.NORMAL);
      clock.advance(BreakerSettings.CACHE_DEFAULTS.openDuration().plusMillis(1));
      assertThat(client.getBoolean("later", "f", false)).isTrue();
      assertThat(client.cacheBreakerState("redis")).isEqualTo(BreakerState.CLOSED);
    }
  }

  @Test
  void slowCacheIsAMissWithinItsBudget() {
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofMillis(50)).mode(FakeRemoteCache.Mode.SLOW);
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of(3L));
    try (FlagClient client = FlagClient.builder().addCache(redis).primary(primary).build()) {
      long start = System.nanoTime();
      assertThat(client.getLong("e", "f", 0)).isEqualTo(3);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
    }
  }

  @Test
  void lastKnownGoodIsServedStaleWhenEveryLayerFailsUntilItIsTooOld() {
    MutableClock clock = new MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1"));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").failTransiently();
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).clock(clock)
        .lastKnownGoodMaxAge(Duration.ofMinutes(10)).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      primary.failTransiently();
      FlagDetail stale = client.getFlagDetail("e", "f", FlagValue.of("d"));
      assertThat(stale.source()).isEqualTo(FlagSource.STALE);
      assertThat(stale.layer()).isEqualTo("api");
      assertThat(stale.value()).isEqualTo(FlagValue.of("v1"));
      assertThat(client.getFlag("e", "f")).isEqualTo(FlagValue.of("v1"));

      clock.advance(Duration.ofMinutes(11));
      assertThatThrownBy(() -> client.getFlag("e", "f"))
          .isInstanceOf(FlagUnavailableException.class)
          .satisfies(e -> assertThat(((FlagUnavailableException) e).failures())
              .extracting(LayerFailure::layer).containsExactly("api", "mongo"));
    }
  }

  @Test
  void unavailableNamesEveryLayerAndWhy() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(30)).hang();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").failTransiently();
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).build()) {
      assertThatThrownBy(() -> client.getFlag("e", "f"))
          .isInstanceOf(FlagUnavailableException.class)
          .hasMessageContaining("api gave no answer within 30 ms")
          .hasMessageContaining("mongo is unavailable");
    }
  }

  @Test
  void aStoreThatThrowsOrReturnsNullIsATransientFailure() {
    FlagStore throwing = Stores.answering("broken", (entity, flags) -> {
      throw new IllegalStateException("bug");
    });
    FlagStore nulls = Stores.answering("nulls", (entity, flags) -> CompletableFuture.completedFuture(null));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    for (FlagStore primary : List.of(throwing, nulls)) {
      try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).build()) {
        assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).source()).isEqualTo(FlagSource.SECONDARY);
      }
    }
  }

  @Test
  void nonTransientRefusalReachesTheCallerWithItsKind() {
    FlagStore refusing = Stores.answering("api",
        (entity, flags) -> CompletableFuture.failedFuture(StoreException.rejected("token refused", null)));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(refusing).secondary(secondary).build()) {
      assertThatThrownBy(() -> client.getFlag("e", "f"))
          .isInstanceOf(FlagException.class)
          .hasMessage("token refused")
          .satisfies(e -> assertThat(((FlagException) e).errorKind()).isEqualTo(FlagErrorKind.REJECTED));
      assertThat(secondary.calls()).isZero();
    }
  }

  @Test
  void typedReadsReturnTheDefaultOnAWrongType() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api")
        .put("s", FlagValue.of("text")).put("n", FlagValue.of(5L)).put("d", FlagValue.of(2.5));
    RecordingListener listener = new RecordingListener();
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary)
        .eventListener(listener).build()) {
      assertThat(client.getBoolean("e", "s", true)).isTrue();
      assertThat(client.getBoolean("e", "s", false)).isFalse();
      assertThat(client.getLong("e", "s", 9)).isEqualTo(9);
      assertThat(client.getDouble("e", "n", 0)).isEqualTo(5.0);
      assertThat(client.getLong("e", "d", 1)).isEqualTo(1);
      assertThat(client.getDouble("e", "d", 0)).isEqualTo(2.5);
      assertThat(client.getString("e", "s", "x")).isEqualTo("text");
    }
  }

  @Test
  void listenerSeesOutcomesFailuresAndBreakerChangesAndCannotBreakReads() {
    RecordingListener listener = new RecordingListener();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary)
        .eventListener(listener).build()) {
      client.getBoolean("e", "f", false);
      client.getBoolean("e", "f", false);
      client.getBoolean("e", "missing", false);
      primary.failTransiently();
      for (int i = 0; i < 4; i++) {
        client.getBoolean("x" + i, "f", false);
      }
      assertThat(listener.resolved).startsWith("e/f PRIMARY api", "e/f CACHE memory", "e/missing DEFAULT FLAG_NOT_FOUND");
      assertThat(listener.resolved).contains("x3/f DEFAULT UNAVAILABLE");
      assertThat(listener.layerFailures).hasSize(4).allMatch(s -> s.startsWith("PRIMARY api"));
      assertThat(listener.breakerChanges).containsExactly("PRIMARY api CLOSED->OPEN 15s");
    }

    FlagEventListener throwing = new FlagEventListener() {
      @Override
      public void flagResolved(String entity, String flag, FlagSource source, String layer,
          FlagErrorKind errorKind, long nanos) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary.answer())
        .eventListener(throwing).build()) {
      assertThat(client.getBoolean("e", "f", false)).isTrue();
      assertThat(client.getBoolean("e", "f", false)).isTrue();
    }
  }

  @Test
  void closeIsIdempotentEndsReadsAndLeavesTheCallersLayersOpen() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofSeconds(30)).put("f", FlagValue.TRUE);
    MemoryTier memory = new MemoryTier();
    FlagClient client = FlagClient.builder().addCache(memory).primary(primary).build();
    assertThat(client.getBoolean("e", "f", false)).isTrue();
    primary.hang();
    CompletableFuture<FlagValue> inFlight = client.getFlagAsync("e", "other");
    assertThat(inFlight).isNotDone();
    client.close();
    client.close();
    assertThat(inFlight).failsWithin(1, TimeUnit.SECONDS);
    assertThat(client.getBoolean("e", "f", false)).as("closed client serves defaults").isFalse();
    assertThatThrownBy(() -> client.getFlag("e", "f"))
        .isInstanceOf(FlagException.class)
        .satisfies(e -> assertThat(((FlagException) e).errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE));
    assertThat(primary.isClosed()).isFalse();
  }

  @Test
  void asyncReadsDoNotBlockTheCaller() throws Exception {
    // The store answers only when the test says so: had an async read blocked, it would never return.
    CompletableFuture<Void> gate = new CompletableFuture<>();
    FlagStore gated = Stores.answering("api", (entity, flags) -> gate.thenApply(v -> Map.of("f", FlagValue.TRUE)));
    try (FlagClient client = FlagClient.builder().primary(gated).build()) {
      CompletableFuture<FlagValue> future = client.getFlagAsync("e", "f");
      CompletableFuture<Map<String, FlagValue>> batch = client.getFlagsAsync("e2", List.of("f"));
      CompletableFuture<FlagDetail> detail = client.getFlagDetailAsync("e3", "f", FlagValue.FALSE);
      assertThat(future).isNotDone();
      assertThat(batch).isNotDone();
      assertThat(detail).isNotDone();
      gate.complete(null);
      assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(FlagValue.TRUE);
      assertThat(batch.get(5, TimeUnit.SECONDS)).containsEntry("f", FlagValue.TRUE);
      assertThat(detail.get(5, TimeUnit.SECONDS).source()).isEqualTo(FlagSource.PRIMARY);
    }
  }

  @Test
  void invalidateDropsTheEntryFromEveryTier() {
    MemoryTier memory = new MemoryTier();
    MemoryTier secondMemory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("one")).put("g", FlagValue.of("g1"));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(secondMemory).addCache(redis)
        .primary(primary).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("one");
      assertThat(client.getString("e", "g", "d")).isEqualTo("g1");
      assertThat(memory.getIfPresent("e", "f")).isNotNull();
      assertThat(secondMemory.getIfPresent("e", "f")).isNotNull();
      assertThat(redis.stored("e", "f")).isNotNull();
      primary.put("f", FlagValue.of("two"));
      assertThat(client.getString("e", "f", "d")).isEqualTo("one");

      client.invalidate("e", "f");
      assertThat(memory.getIfPresent("e", "f")).isNull();
      assertThat(secondMemory.getIfPresent("e", "f")).isNull();
      assertThat(redis.stored("e", "f")).isNull();
      assertThat(redis.stored("e", "g")).as("other entries stay").isEqualTo(FlagValue.of("g1"));
      assertThat(client.getString("e", "f", "d")).isEqualTo("two");

      primary.put("f", FlagValue.of("three"));
      client.invalidateAll();
      assertThat(memory.getIfPresent("e", "g")).isNull();
      assertThat(secondMemory.getIfPresent("e", "g")).isNull();
      assertThat(redis.stored("e", "g")).isNull();
      assertThat(client.getString("e", "f", "d")).isEqualTo("three");
    }
  }
}
