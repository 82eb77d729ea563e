package dev.flagstack.cache.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FakeRemoteCache;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.GatedStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Refresh ahead of expiry through a real client: the primary is a {@link GatedStore}, whose every call
 * waits until the test answers it, so a read that reached it could not complete on its own. Time is a
 * {@link MutableClock}; the store's call timeout is far longer than any wait here.
 */
class RefreshAheadTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Duration STEP = Duration.ofSeconds(1);

  private final MutableClock clock = new MutableClock();
  private final GatedStore primary = new GatedStore("api", Duration.ofSeconds(30));
  private final MemoryFlagCache memory = MemoryFlagCache.builder().ttl(TTL).clock(clock).build();

  private FlagClient client() {
    return FlagClient.builder().addCache(memory).primary(primary).clock(clock).build();
  }

  /** Reads once; the read must be answered at once, from memory. */
  private static FlagValue readAtOnce(FlagClient client, String entity) {
    CompletableFuture<FlagDetail> read = client.getFlagDetailAsync(entity, "f", FlagValue.of("default"));
    assertThat(read).as("a read of a warm key never waits").isDone();
    FlagDetail detail = read.join();
    assertThat(detail.source()).isEqualTo(FlagSource.CACHE);
    return detail.value();
  }

  private static void warm(FlagClient client, GatedStore primary, String entity, FlagValue value)
      throws InterruptedException {
    CompletableFuture<FlagValue> first = client.getFlagAsync(entity, "f");
    primary.nextCall().answer(Map.of("f", value));
    assertThat(first.join()).isEqualTo(value);
  }

  /** Polls (a few ms at a time) until memory serves {@code value}, at most 10 s. */
  private void awaitMemory(String entity, FlagValue value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!value.equals(memory.getIfPresent(entity, "f")) && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(memory.getIfPresent(entity, "f")).isEqualTo(value);
  }

  @Test
  void aHotKeyReadSteadilyNeverWaitsAcrossSeveralTtlsWithOneReloadPerWindow() throws Exception {
    try (FlagClient client = client()) {
      warm(client, primary, "e", FlagValue.of(0L));
      long version = 0;
      int writtenAt = 0;
      int reloads = 0;
      // Five TTLs, a second at a time, with 4 threads reading 50 times at each second.
      for (int second = 1; second <= 150; second++) {
        clock.advance(STEP);
        readConcurrently(client, version);
        if (second - writtenAt < 24) {
          assertThat(primary.waitingCalls()).as("at %s s, 7 s or more of the TTL left", second).isZero();
          continue;
        }
        // 6 s of 30 left (the default 20%): the reads asked for one reload.
        GatedStore.Call reload = primary.nextCall();
        assertThat(reload.entity).isEqualTo("e");
        assertThat(reload.flags).containsExactly("f");
        Thread.sleep(10);
        assertThat(primary.waitingCalls()).as("200 reads in the window make one reload").isZero();
        reloads++;
        // Until the reload answers, readers keep the current value without waiting.
        readConcurrently(client, version);
        version++;
        reload.answer(Map.of("f", FlagValue.of(version)));
        awaitMemory("e", FlagValue.of(version));
        writtenAt = second;
      }
      assertThat(reloads).as("one reload every 24 s over 150 s").isEqualTo(6);
      Thread.sleep(10);
      assertThat(primary.waitingCalls()).isZero();
      assertThat(readAtOnce(client, "e")).isEqualTo(FlagValue.of(version));
    }
  }

  private static void readConcurrently(FlagClient client, long expected) throws InterruptedException {
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread reader = new Thread(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            assertThat(readAtOnce(client, "e")).isEqualTo(FlagValue.of(expected));
          }
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          done.countDown();
        }
      });
      reader.start();
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
  }

  @Test
  void aFailedReloadKeepsTheValueUntilItExpiresThenTheNormalPathRuns() throws Exception {
    try (FlagClient client = client()) {
      warm(client, primary, "e", FlagValue.TRUE);
      clock.advance(Duration.ofSeconds(25));
      assertThat(readAtOnce(client, "e")).isEqualTo(FlagValue.TRUE);
      primary.nextCall().answer.completeExceptionally(StoreException.transientFailure("api is down", null));

      for (int second = 26; second < 30; second++) {
        clock.advance(STEP);
        assertThat(readAtOnce(client, "e")).as("at %s s", second).isEqualTo(FlagValue.TRUE);
      }
      Thread.sleep(20);
      assertThat(primary.waitingCalls()).as("a failed reload is not retried by reads").isZero();

      clock.advance(Duration.ofSeconds(2));
      CompletableFuture<FlagDetail> afterExpiry = client.getFlagDetailAsync("e", "f", FlagValue.FALSE);
      GatedStore.Call load = primary.nextCall();
      assertThat(afterExpiry).as("past its TTL the reader waits for the primary, as on any miss").isNotDone();
      load.answer(Map.of("f", FlagValue.of("fresh")));
      FlagDetail detail = afterExpiry.get(10, TimeUnit.SECONDS);
      assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(detail.value()).isEqualTo(FlagValue.of("fresh"));
    }
  }

  @Test
  void aKeyNobodyReadsIsNotReloaded() throws Exception {
    try (FlagClient client = client()) {
      warm(client, primary, "read", FlagValue.TRUE);
      warm(client, primary, "unread", FlagValue.TRUE);
      clock.advance(Duration.ofSeconds(26));
      readAtOnce(client, "read");
      GatedStore.Call reload = primary.nextCall();
      assertThat(reload.entity).isEqualTo("read");
      reload.answer(Map.of("f", FlagValue.FALSE));
      awaitMemory("read", FlagValue.FALSE);
      clock.advance(Duration.ofSeconds(10));
      Thread.sleep(20);
      assertThat(primary.waitingCalls()).isZero();
      assertThat(memory.getIfPresent("unread", "f")).as("expired, never reloaded").isNull();
      assertThat(memory.getIfPresent("read", "f")).isEqualTo(FlagValue.FALSE);
    }
  }

  @Test
  void aReloadJoinsALoadOfTheSameKeyAlreadyInFlight() throws Exception {
    try (FlagClient client = client()) {
      warm(client, primary, "e", FlagValue.TRUE);
      clock.advance(Duration.ofSeconds(25));
      // Drop the value from memory only, then read it once so a load is in flight...
      memory.invalidate("e", "f");
      CompletableFuture<FlagValue> miss = client.getFlagAsync("e", "f");
      GatedStore.Call load = primary.nextCall();
      // ...and put an old value back, as another client sharing the tier might: reading it late asks
      // for a reload, which must share the load in flight instead of starting a second one.
      memory.put("e", "f", FlagValue.TRUE);
      clock.advance(Duration.ofSeconds(25));
      assertThat(readAtOnce(client, "e")).isEqualTo(FlagValue.TRUE);
      Thread.sleep(20);
      assertThat(primary.waitingCalls()).isZero();
      load.answer(Map.of("f", FlagValue.FALSE));
      assertThat(miss.get(10, TimeUnit.SECONDS)).isEqualTo(FlagValue.FALSE);
      awaitMemory("e", FlagValue.FALSE);
    }
  }

  @Test
  void aReloadIsAnOrdinaryLoadThatReadsTheRemoteTierBeforeThePrimary() throws Exception {
    FakeRemoteCache remote = new FakeRemoteCache("shared", Duration.ofSeconds(5));
    try (FlagClient client = FlagClient.builder().addCache(memory).addCache(remote).primary(primary).clock(clock)
        .build()) {
      warm(client, primary, "e", FlagValue.TRUE);
      // Another instance reloaded the shared tier meanwhile.
      remote.store("e", "f", FlagValue.FALSE);
      int readsBefore = remote.reads.get();
      clock.advance(Duration.ofSeconds(25));
      assertThat(readAtOnce(client, "e")).isEqualTo(FlagValue.TRUE);
      awaitMemory("e", FlagValue.FALSE);
      assertThat(remote.reads.get()).isEqualTo(readsBefore + 1);
      Thread.sleep(20);
      assertThat(primary.waitingCalls()).as("the shared tier answered; the primary was not asked").isZero();
    }
  }

  @Test
  void aClosedClientStartsNoReload() throws Exception {
    FlagClient client = client();
    warm(client, primary, "e", FlagValue.TRUE);
    client.close();
    clock.advance(Duration.ofSeconds(25));
    assertThat(memory.getIfPresent("e", "f")).isEqualTo(FlagValue.TRUE);
    Thread.sleep(20);
    assertThat(primary.waitingCalls()).isZero();
  }
}
