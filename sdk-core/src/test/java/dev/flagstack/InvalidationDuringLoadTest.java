package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.CacheInvalidator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, item 1: an eviction wins over every load that started before it. */
@Timeout(30)
class InvalidationDuringLoadTest {
  private static final FlagValue V1 = FlagValue.of("v1");
  private static final FlagValue V2 = FlagValue.of("v2");

  @Test
  void anInvalidationDuringALoadIsNotUndoneByItsWriteBack() throws Exception {
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(primary).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call load = primary.nextCall();
      // The load has read v1; the flag changes to v2 and the change is announced before it answers.
      client.invalidate("e", "f");
      load.answer(Map.of("f", V1));
      assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo(V1);

      assertThat(memory.getIfPresent("e", "f")).as("memory after the eviction").isNull();
      assertThat(redis.stored("e", "f")).as("redis after the eviction").isNull();

      CompletableFuture<FlagValue> after = client.getFlagAsync("e", "f");
      primary.nextCall().answer(Map.of("f", V2));
      assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo(V2);
      assertThat(memory.getIfPresent("e", "f")).isEqualTo(V2);
    }
  }

  @Test
  void anInvalidationDuringALoadKeepsItsValueOutOfLastKnownGood() throws Exception {
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call load = primary.nextCall();
      client.invalidate("e", "f");
      load.answer(Map.of("f", V1));
      assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo(V1);

      CompletableFuture<FlagDetail> outage = client.getFlagDetailAsync("e", "f", FlagValue.of("d"));
      primary.nextCall().answer.completeExceptionally(new java.io.IOException("down"));
      FlagDetail detail = outage.get(5, TimeUnit.SECONDS);
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.DEFAULT);
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    }
  }

  @Test
  void aReadStartedAfterAnInvalidationDoesNotJoinALoadFromBeforeIt() throws Exception {
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call oldLoad = primary.nextCall();
      client.invalidate("e", "f");
      CompletableFuture<FlagValue> after = client.getFlagAsync("e", "f");
      GatedStore.Call newLoad = primary.nextCall();
      newLoad.answer(Map.of("f", V2));
      oldLoad.answer(Map.of("f", V1));
      assertThat(after.get(5, TimeUnit.SECONDS)).as("a read that began after the eviction").isEqualTo(V2);
      assertThat(before.get(5, TimeUnit.SECONDS)).as("a read that began before it").isEqualTo(V1);
      assertThat(client.getString("e", "f", "d")).isEqualTo("v2");
    }
  }

  @Test
  void invalidateAllDuringALoadIsNotUndoneEither() throws Exception {
    MemoryTier memory = new MemoryTier();
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(memory).primary(primary).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call load = primary.nextCall();
      client.invalidateAll();
      load.answer(Map.of("f", V1));
      assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      assertThat(memory.getIfPresent("e", "f")).isNull();
    }
  }

  @Test
  void anEvictionThroughTheTiersAboveHookAlsoWinsOverALoadInFlight() throws Exception {
    MemoryTier memory = new MemoryTier();
    HookedCache redis = new HookedCache();
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(primary).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call load = primary.nextCall();
      // Another client changed the flag and published the eviction; this tier passes it up.
      redis.tiersAbove.invalidate("e", "f");
      load.answer(Map.of("f", V1));
      assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      assertThat(memory.getIfPresent("e", "f")).as("memory after the published eviction").isNull();

      CompletableFuture<FlagValue> again = client.getFlagAsync("e", "g");
      GatedStore.Call second = primary.nextCall();
      redis.tiersAbove.invalidateAll();
      second.answer(Map.of("g", V1));
      assertThat(again.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      assertThat(memory.getIfPresent("e", "g")).as("memory after a published flush").isNull();
    }
  }

  @Test
  void aWriteBackThatLandsAfterAnInvalidationIsEvictedAgain() throws Exception {
    SlowWriteCache redis = new SlowWriteCache();
    GatedStore primary = new GatedStore("api", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(redis).primary(primary).build()) {
      CompletableFuture<FlagValue> read = client.getFlagAsync("e", "f");
      primary.nextCall().answer(Map.of("f", V1));
      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      // The write-back is on its way (slower than the tier's budget, even) when the flag changes.
      client.invalidate("e", "f");
      redis.land();
      // The client hears that the write ended on its executor, and evicts it then.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (redis.stored("e", "f") != null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(redis.stored("e", "f")).as("a write that landed after the eviction").isNull();
    }
  }

  /** A remote tier whose writes land only when the test says so, as a slow network would deliver them. */
  static final class SlowWriteCache extends FakeRemoteCache {
    private final java.util.List<Runnable> inFlight = new java.util.concurrent.CopyOnWriteArrayList<>();

    SlowWriteCache() {
      super("redis", Duration.ofMillis(50));
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> putAll(String entity, Map<String, FlagValue> entries) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      inFlight.add(() -> {
        entries.forEach((flag, v) -> store(entity, flag, v));
        done.complete(null);
      });
      return done;
    }

    void land() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (inFlight.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(inFlight).as("a write-back reached the tier").isNotEmpty();
      inFlight.forEach(Runnable::run);
    }
  }

  /** A remote tier that keeps the hook it is bound with, as the Redis tier does for pub/sub. */
  static final class HookedCache extends FakeRemoteCache {
    volatile CacheInvalidator tiersAbove;

    HookedCache() {
      super("redis", Duration.ofSeconds(1));
    }

    @Override
    public void bind(CacheInvalidator tiersAbove) {
      this.tiersAbove = tiersAbove;
    }
  }
}
