package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.flagstack.testing.WatchableStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9: a change notice drops the flag from every tier, for every entity, and no load in flight undoes it. */
@Timeout(60)
class ChangeNotificationTest {
  private static final FlagValue V1 = FlagValue.of("v1");
  private static final FlagValue V2 = FlagValue.of("v2");

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting until %s", what).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void aChangedFlagIsDroppedFromEveryTierForEveryEntityAndTheNextReadGetsTheNewValue() throws Exception {
    MutableClock clock = new MutableClock();
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", V1).put("g", V1);
    WatchableStore store = new WatchableStore(api);
    RecordingListener events = new RecordingListener();
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(store)
        .clock(clock).eventListener(events).build()) {
      for (String entity : List.of("e1", "e2")) {
        assertThat(client.getFlags(entity, List.of("f", "g"))).containsEntry("f", V1).containsEntry("g", V1);
      }
      await("both entities are in the remote tier", () -> redis.stored("e2", "g") != null);
      assertThat(memory.getIfPresent("e1", "f")).isEqualTo(V1);

      api.put("f", V2);
      clock.advance(Duration.ofSeconds(7));
      store.announceChanged("f");

      for (String entity : List.of("e1", "e2")) {
        assertThat(memory.getIfPresent(entity, "f")).as("memory, %s/f", entity).isNull();
        assertThat(redis.stored(entity, "f")).as("remote tier, %s/f", entity).isNull();
        assertThat(memory.getIfPresent(entity, "g")).as("an unchanged flag stays").isEqualTo(V1);
        assertThat(redis.stored(entity, "g")).isEqualTo(V1);
      }
      assertThat(redis.changes).containsExactly("[f]@" + clock.millis());
      assertThat(events.changes).containsExactly("[f]");
      assertThat(client.getFlag("e1", "f")).isEqualTo(V2);
      assertThat(client.getFlag("e2", "f")).isEqualTo(V2);
    }
  }

  @Test
  void aLoadInFlightWhenTheChangeArrivesWritesNothingBackAndTheNextReadGoesToThePrimary() throws Exception {
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    GatedStore gated = new GatedStore("api", Duration.ofSeconds(10));
    WatchableStore store = new WatchableStore(gated);
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(store).build()) {
      CompletableFuture<FlagValue> e1Before = client.getFlagAsync("e1", "f");
      GatedStore.Call e1Load = gated.nextCall();
      CompletableFuture<Map<String, FlagValue>> e2Before = client.getFlagsAsync("e2", List.of("f", "g"));
      GatedStore.Call e2Load = gated.nextCall();

      // Both loads have read v1 at the primary; the flag changes and the notice arrives before they answer.
      store.announceChanged("f");
      CompletableFuture<FlagValue> e1After = client.getFlagAsync("e1", "f");
      GatedStore.Call e1Fresh = gated.nextCall();

      e1Load.answer(Map.of("f", V1));
      e2Load.answer(Map.of("f", V1, "g", V1));
      assertThat(e1Before.get(5, TimeUnit.SECONDS)).as("a read that began before the change").isEqualTo(V1);
      assertThat(e2Before.get(5, TimeUnit.SECONDS)).containsEntry("f", V1);
      // g did not change: its write-back lands, in the same write f would have been part of.
      await("the unchanged flag is written back", () -> redis.stored("e2", "g") != null);
      assertThat(memory.getIfPresent("e2", "g")).isEqualTo(V1);
      assertThat(memory.getIfPresent("e2", "f")).as("memory after the change").isNull();
      assertThat(redis.stored("e2", "f")).as("remote tier after the change").isNull();
      assertThat(memory.getIfPresent("e1", "f")).isNull();

      e1Fresh.answer(Map.of("f", V2));
      assertThat(e1After.get(5, TimeUnit.SECONDS)).as("a read that began after the notice").isEqualTo(V2);
      CompletableFuture<FlagValue> e2After = client.getFlagAsync("e2", "f");
      gated.nextCall().answer(Map.of("f", V2));
      assertThat(e2After.get(5, TimeUnit.SECONDS)).isEqualTo(V2);
      assertThat(client.getString("e1", "f", "d")).isEqualTo("v2");
      assertThat(client.getString("e2", "f", "d")).isEqualTo("v2");
      assertThat(gated.waitingCalls()).isZero();
    }
  }

  @Test
  void aReadWhileTheNoticeIsBeingHandledCannotCopyAnOldValueIntoATierThatAlreadyHeard() throws Exception {
    MemoryTier memory = new MemoryTier();
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1)) {
      @Override
      public void flagsChanged(Set<String> flags, long atMillis) {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.flagsChanged(flags, atMillis);
      }
    };
    redis.store("e", "f", V1);
    WatchableStore store = new WatchableStore(new InMemoryFlagStore("api").put("f", V2));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(store).build()) {
      Thread notice = new Thread(() -> store.announceChanged("f"));
      notice.start();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // The remote tier has not dropped v1 yet: a read now may still be served it...
      assertThat(client.getFlag("e", "f")).isIn(V1, V2);
      release.countDown();
      notice.join(10_000);
      // ...but once the notice is handled, no tier keeps it.
      assertThat(memory.getIfPresent("e", "f")).as("memory after the notice").isNotEqualTo(V1);
      assertThat(redis.stored("e", "f")).isNotEqualTo(V1);
      assertThat(client.getFlag("e", "f")).isEqualTo(V2);
    }
  }

  @Test
  void everythingChangedDropsEveryFlagAndWinsOverLoadsInFlight() throws Exception {
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    GatedStore gated = new GatedStore("api", Duration.ofSeconds(10));
    WatchableStore store = new WatchableStore(gated);
    RecordingListener events = new RecordingListener();
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(store)
        .eventListener(events).build()) {
      CompletableFuture<FlagValue> f = client.getFlagAsync("e1", "f");
      gated.nextCall().answer(Map.of("f", V1));
      CompletableFuture<FlagValue> g = client.getFlagAsync("e2", "g");
      gated.nextCall().answer(Map.of("g", V1));
      assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      assertThat(g.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      await("the remote tier holds both", () -> redis.stored("e1", "f") != null && redis.stored("e2", "g") != null);
      CompletableFuture<FlagValue> inFlight = client.getFlagAsync("e3", "h");
      GatedStore.Call load = gated.nextCall();

      store.announceEverythingChanged();
      load.answer(Map.of("h", V1));
      assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(V1);

      assertThat(memory.getIfPresent("e1", "f")).isNull();
      assertThat(memory.getIfPresent("e2", "g")).isNull();
      assertThat(memory.getIfPresent("e3", "h")).as("the load in flight wrote nothing back").isNull();
      assertThat(redis.stored("e1", "f")).isNull();
      assertThat(redis.stored("e2", "g")).isNull();
      assertThat(redis.stored("e3", "h")).isNull();
      assertThat(redis.changes).hasSize(1).allMatch(c -> c.startsWith("*@"));
      assertThat(events.changes).as("everything: an empty set").containsExactly("[]");

      CompletableFuture<FlagValue> again = client.getFlagAsync("e1", "f");
      gated.nextCall().answer(Map.of("f", V2));
      assertThat(again.get(5, TimeUnit.SECONDS)).isEqualTo(V2);
    }
  }

  @Test
  void aLoadInFlightWhenTheChangeArrivesLeavesNoLastKnownGoodValue() throws Exception {
    GatedStore gated = new GatedStore("api", Duration.ofSeconds(10));
    WatchableStore store = new WatchableStore(gated);
    try (FlagClient client = FlagClient.builder().primary(store).build()) {
      CompletableFuture<FlagValue> before = client.getFlagAsync("e", "f");
      GatedStore.Call load = gated.nextCall();
      store.announceChanged("f");
      load.answer(Map.of("f", V1));
      assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo(V1);

      CompletableFuture<FlagDetail> outage = client.getFlagDetailAsync("e", "f", FlagValue.of("d"));
      gated.nextCall().answer.completeExceptionally(new java.io.IOException("down"));
      FlagDetail detail = outage.get(5, TimeUnit.SECONDS);
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.DEFAULT);
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    }
  }

  @Test
  void aChangedFlagKeepsItsLastKnownGoodValueForAnOutage() {
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", V1);
    WatchableStore store = new WatchableStore(api);
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(store).build()) {
      assertThat(client.getFlag("e", "f")).isEqualTo(V1);
      store.announceChanged("f");
      store.announceEverythingChanged();
      api.failTransiently();
      FlagDetail detail = client.getFlagDetail("e", "f", FlagValue.of("default"));
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.STALE);
      assertThat(detail.value()).isEqualTo(V1);
      assertThat(api.calls()).as("the cached value was dropped, so the primary was asked").isEqualTo(2);
    }
  }

  @Test
  void theSecondarysCachedAnswersOfAChangedFlagAreDropped() {
    InMemoryFlagStore api = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore mongo = new InMemoryFlagStore("mongo").put("f", V1).put("g", V1);
    WatchableStore secondary = new WatchableStore(mongo);
    try (FlagClient client = FlagClient.builder().primary(api).secondary(secondary)
        .secondaryCacheTtl(Duration.ofMinutes(10)).build()) {
      assertThat(client.getFlags("e", List.of("f", "g"))).containsEntry("f", V1).containsEntry("g", V1);
      mongo.put("f", V2).put("g", V2);
      assertThat(client.getFlag("e", "f")).as("reused within the secondary's TTL").isEqualTo(V1);

      secondary.announceChanged("f");
      assertThat(client.getFlag("e", "f")).isEqualTo(V2);
      assertThat(client.getFlag("e", "g")).as("an unchanged flag's answer is still reused").isEqualTo(V1);
    }
  }

  @Test
  void aDefinitionsSecondaryForgetsTheDefinitionOfAChangedFlagForEveryEntity() {
    InMemoryFlagStore api = new InMemoryFlagStore("api").failTransiently();
    DefinitionStoreFake definitions = new DefinitionStoreFake("mongo", Duration.ofSeconds(2), Duration.ZERO);
    definitions.put(FlagDefinition.builder().key("f").defaultValue(V1).build());
    WatchedDefinitions secondary = new WatchedDefinitions(definitions);
    try (definitions; FlagClient client = FlagClient.builder().primary(api).secondary(secondary)
        .secondaryCacheTtl(Duration.ofMinutes(10)).build()) {
      assertThat(client.getFlag("e1", "f")).isEqualTo(V1);
      definitions.put(FlagDefinition.builder().key("f").defaultValue(V2).build());
      assertThat(client.getFlag("e2", "f")).as("the definition is reused for another entity").isEqualTo(V1);

      secondary.feed.announceChanged("f");
      assertThat(client.getFlag("e1", "f")).isEqualTo(V2);
      assertThat(client.getFlag("e2", "f")).isEqualTo(V2);
      assertThat(definitions.queries.get()).isEqualTo(2);
    }
  }

  /** A definitions store that is also a change source the test drives. */
  static final class WatchedDefinitions implements FlagDefinitionStore, FlagChangeSource {
    final DefinitionStoreFake store;
    final WatchableStore feed;

    WatchedDefinitions(DefinitionStoreFake store) {
      this.store = store;
      this.feed = new WatchableStore(store);
    }

    @Override
    public String name() {
      return store.name();
    }

    @Override
    public Duration callTimeout() {
      return store.callTimeout();
    }

    @Override
    public CompletionStage<Map<String, FlagDefinition>> getDefinitions(Set<String> flags) {
      return store.getDefinitions(flags);
    }

    @Override
    public AutoCloseable watchChanges(FlagChangeListener listener) {
      return feed.watchChanges(listener);
    }
  }
}
