package dev.flagstack;

import static dev.flagstack.ChangeNotificationTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.flagstack.testing.WatchableStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9: how the client subscribes to change sources, and what it tells the tiers. */
@Timeout(60)
class ChangeWatchTest {
  private static final FlagValue V1 = FlagValue.of("v1");
  private static final FlagValue V2 = FlagValue.of("v2");

  @Test
  void theClientWatchesThePrimaryAndTheSecondaryAndCloseEndsBothWatches() {
    WatchableStore primary = new WatchableStore(new InMemoryFlagStore("api"));
    WatchableStore secondary = new WatchableStore(new InMemoryFlagStore("mongo"));
    FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).build();
    assertThat(primary.watchers()).isEqualTo(1);
    assertThat(secondary.watchers()).isEqualTo(1);
    FlagClient variant = client.newBuilder().build();
    assertThat(primary.watchers()).as("a variant watches on its own").isEqualTo(2);

    client.close();
    assertThat(primary.watchers()).isEqualTo(1);
    assertThat(secondary.watchers()).isEqualTo(1);
    client.close();
    assertThat(primary.watchers()).as("close is idempotent").isEqualTo(1);
    variant.close();
    assertThat(primary.watchers()).isZero();
    assertThat(secondary.watchers()).isZero();
  }

  @Test
  void watchChangesFalseSubscribesToNothingAndCachedValuesStay() {
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", V1);
    WatchableStore primary = new WatchableStore(api);
    MemoryTier memory = new MemoryTier();
    try (FlagClient client = FlagClient.builder().addCache(memory).primary(primary).watchChanges(false).build()) {
      assertThat(primary.watchers()).isZero();
      assertThat(client.getFlag("e", "f")).isEqualTo(V1);
      api.put("f", V2);
      primary.announceChanged("f");
      assertThat(client.getFlag("e", "f")).as("nobody listened: the cached value stays").isEqualTo(V1);
      try (FlagClient watching = client.newBuilder().watchChanges(true).build()) {
        assertThat(primary.watchers()).isEqualTo(1);
      }
    }
  }

  @Test
  void aTierOrEventListenerThatThrowsOnAChangeStopsNeitherTheOtherTiersNorTheSource() throws Exception {
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache upper = new FakeRemoteCache("upper", Duration.ofSeconds(1));
    FakeRemoteCache broken = new FakeRemoteCache("broken", Duration.ofSeconds(1)) {
      @Override
      public void flagsChanged(Set<String> flags, long atMillis) {
        throw new LinkageError("tier bug");
      }

      @Override
      public void everythingChanged(long atMillis) {
        throw new IllegalStateException("tier bug");
      }
    };
    FakeRemoteCache lower = new FakeRemoteCache("lower", Duration.ofSeconds(1));
    FlagEventListener throwing = new FlagEventListener() {
      @Override
      public void flagsChanged(Set<String> flags) {
        throw new IllegalStateException("listener bug");
      }
    };
    WatchableStore primary = new WatchableStore(new InMemoryFlagStore("api").put("f", V1).put("g", V1));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(upper).addCache(broken)
        .addCache(lower).primary(primary).eventListener(throwing).build()) {
      client.getFlags("e", List.of("f", "g"));
      await("every tier holds the values", () -> upper.stored("e", "g") != null && lower.stored("e", "g") != null);

      assertThatCode(() -> primary.announceChanged("f")).doesNotThrowAnyException();
      assertThat(memory.getIfPresent("e", "f")).isNull();
      assertThat(upper.stored("e", "f")).isNull();
      assertThat(lower.stored("e", "f")).as("a tier heard before the broken one").isNull();
      assertThat(upper.stored("e", "g")).isEqualTo(V1);

      assertThatCode(primary::announceEverythingChanged).doesNotThrowAnyException();
      assertThat(memory.getIfPresent("e", "g")).isNull();
      assertThat(upper.stored("e", "g")).isNull();
      assertThat(lower.stored("e", "g")).isNull();
    }
  }

  @Test
  void aSourceThatFailsToStartWatchingDoesNotFailTheBuild() {
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", V1);
    class Refusing implements FlagStore, FlagChangeSource {
      @Override
      public String name() {
        return "api";
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return api.getFlags(entity, flags);
      }

      @Override
      public AutoCloseable watchChanges(FlagChangeListener listener) {
        throw new IllegalStateException("cannot watch");
      }
    }
    try (FlagClient client = FlagClient.builder().primary(new Refusing()).build()) {
      assertThat(client.getFlag("e", "f")).isEqualTo(V1);
    }
  }

  @Test
  void oddNoticesAreHandledWithoutThrowingBackIntoTheSource() {
    AtomicReference<FlagChangeListener> listener = new AtomicReference<>();
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", V1);
    AtomicBoolean handleClosed = new AtomicBoolean();
    class Source implements FlagStore, FlagChangeSource {
      @Override
      public String name() {
        return "api";
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return api.getFlags(entity, flags);
      }

      @Override
      public AutoCloseable watchChanges(FlagChangeListener l) {
        listener.set(l);
        return () -> {
          handleClosed.set(true);
          throw new IllegalStateException("closing failed");
        };
      }
    }
    MemoryTier memory = new MemoryTier();
    FlagClient client = FlagClient.builder().addCache(memory).primary(new Source()).build();
    assertThat(client.getFlag("e", "f")).isEqualTo(V1);
    FlagChangeListener l = listener.get();
    Set<String> withNull = new java.util.HashSet<>(java.util.Arrays.asList(null, "", "x".repeat(100_000)));
    assertThatCode(() -> l.flagsChanged(null)).doesNotThrowAnyException();
    assertThatCode(() -> l.flagsChanged(withNull)).doesNotThrowAnyException();
    assertThat(memory.getIfPresent("e", "f")).as("no valid flag id was named").isEqualTo(V1);
    Set<String> many = new java.util.HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      many.add("flag-" + i);
    }
    assertThatCode(() -> l.flagsChanged(many)).doesNotThrowAnyException();
    assertThat(memory.getIfPresent("e", "f")).as("a huge notice counts as everything").isNull();

    assertThatCode(client::close).doesNotThrowAnyException();
    assertThat(handleClosed).isTrue();
    assertThatCode(() -> l.flagsChanged(Set.of("f"))).as("a notice after close").doesNotThrowAnyException();
    assertThatCode(l::everythingChanged).doesNotThrowAnyException();
  }

  @Test
  void writeBackCarriesTheTimeTheLoadBeganAndACopyFromALowerTierTheOldestStamp() throws Exception {
    MutableClock clock = new MutableClock();
    FakeRemoteCache upper = new FakeRemoteCache("upper", Duration.ofSeconds(1));
    FakeRemoteCache lower = new FakeRemoteCache("lower", Duration.ofSeconds(1));
    lower.store("e", "h", V1);
    GatedStore gated = new GatedStore("api", Duration.ofSeconds(30));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).addCache(upper).addCache(lower)
        .primary(gated).clock(clock).build()) {
      long began = clock.millis();
      CompletableFuture<FlagValue> read = client.getFlagAsync("e", "f");
      GatedStore.Call load = gated.nextCall();
      clock.advance(Duration.ofSeconds(5));
      load.answer(Map.of("f", V1));
      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(V1);
      await("both remote tiers hold the value", () -> upper.stamp("e", "f") != null && lower.stamp("e", "f") != null);
      assertThat(upper.stamp("e", "f")).as("the stamp is when the load began, not when it ended").isEqualTo(began);
      assertThat(lower.stamp("e", "f")).isEqualTo(began);

      assertThat(client.getFlag("e", "h")).isEqualTo(V1);
      await("the upper tier was filled", () -> upper.stamp("e", "h") != null);
      assertThat(upper.stamp("e", "h")).as("a copy whose load time is unknown").isZero();
    }
  }

  @Test
  void readsRacingManyNoticesNeverLeaveAValueOlderThanTheLastNotice() throws Exception {
    InMemoryFlagStore api = new InMemoryFlagStore("api").put("f", FlagValue.of(0L));
    // The store reads the value at once and answers a moment later, like a server across a network.
    java.util.concurrent.Executor wire = CompletableFuture.delayedExecutor(300, TimeUnit.MICROSECONDS);
    WatchableStore primary = new WatchableStore(new FlagStore() {
      @Override
      public String name() {
        return "api";
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return api.getFlags(entity, flags).thenApplyAsync(found -> found, wire);
      }
    });
    MemoryTier memory = new MemoryTier();
    FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(1));
    List<String> entities = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      entities.add("e" + i);
    }
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(redis).primary(primary).build()) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int offset = t;
        Thread reader = new Thread(() -> {
          for (int n = offset; !stop.get(); n++) {
            client.getLong(entities.get(n % entities.size()), "f", -1L);
          }
        });
        reader.start();
        readers.add(reader);
      }
      long last = 300;
      for (long v = 1; v <= last; v++) {
        api.put("f", FlagValue.of(v));
        primary.announceChanged("f");
        Thread.yield();
      }
      stop.set(true);
      for (Thread reader : readers) {
        reader.join(10_000);
      }
      for (String entity : entities) {
        FlagValue inMemory = memory.getIfPresent(entity, "f");
        FlagValue inRedis = redis.stored(entity, "f");
        assertThat(inMemory == null || inMemory.longValue() == last).as("memory %s: %s", entity, inMemory).isTrue();
        assertThat(inRedis == null || inRedis.longValue() == last).as("remote %s: %s", entity, inRedis).isTrue();
        assertThat(client.getLong(entity, "f", -1L)).isEqualTo(last);
      }
    }
  }
}
