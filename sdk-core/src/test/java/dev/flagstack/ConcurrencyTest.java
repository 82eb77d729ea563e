package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In-flight coalescing and the secondary's stampede guard. */
class ConcurrencyTest {
  private static final int THREADS = 100;
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Runs {@code n} reads released together and returns their results. */
  private <T> List<T> together(int n, IntFunction<T> read) throws Exception {
    // The first THREADS reads start at once; the rest queue behind them, as requests do in a server.
    CountDownLatch ready = new CountDownLatch(Math.min(n, THREADS));
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(pool.submit(() -> {
        if (index < THREADS) {
          ready.countDown();
          go.await();
        }
        return read.apply(index);
      }));
    }
    assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
    go.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(10, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void hundredConcurrentMissesOnOneKeyMakeOnePrimaryCall() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofSeconds(5))
        .put("f", FlagValue.of("v")).answerAfter(Duration.ofMillis(500));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary).build()) {
      List<String> values = together(100, i -> client.getString("tenant", "f", "default"));
      assertThat(values).hasSize(100).containsOnly("v");
      assertThat(primary.calls()).isEqualTo(1);
    }
  }

  @Test
  void missesOnDifferentKeysAreNotSerialised() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofSeconds(5))
        .put("f", FlagValue.of("v")).answerAfter(Duration.ofMillis(300));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      List<String> values = together(100, i -> client.getString("tenant-" + i, "f", "default"));
      assertThat(values).containsOnly("v");
      assertThat(primary.calls()).isEqualTo(100);
      assertThat(primary.maxConcurrentCalls()).as("calls overlapped").isGreaterThanOrEqualTo(10);
    }
  }

  @Test
  void inFlightEntriesDoNotOutliveTheirCall() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("one"));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      assertThat(client.getString("t", "f", "x")).isEqualTo("one");
      primary.put("f", FlagValue.of("two"));
      // No cache tier: a second read must make a new call, not reuse the finished one.
      assertThat(client.getString("t", "f", "x")).isEqualTo("two");
      assertThat(primary.calls()).isEqualTo(2);
    }
  }

  /** Regression: a load completed on another thread must leave the in-flight map before callers resume. */
  @Test
  void aReadAfterALoadCompletedOnAnotherThreadStartsAFreshLoad() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").answerAfter(Duration.ofMillis(5));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      for (int i = 0; i < 50; i++) {
        primary.put("f", FlagValue.of(i));
        assertThat(client.getLong("t", "f", -1)).isEqualTo(i);
      }
      assertThat(primary.calls()).isEqualTo(50);
    }
  }

  @Test
  void stampedeOnTheSecondaryIsBoundedToOneCallPerKeyPerWindow() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofSeconds(5))
        .put("f", FlagValue.TRUE).answerAfter(Duration.ofMillis(100));
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(16).lastKnownGood(false).build()) {
      List<FlagDetail> details = together(1000,
          i -> client.getFlagDetail("tenant-" + (i % 10), "f", FlagValue.FALSE));
      assertThat(details).allSatisfy(d -> {
        assertThat(d.source()).isEqualTo(FlagSource.SECONDARY);
        assertThat(d.value()).isEqualTo(FlagValue.TRUE);
      });
      assertThat(secondary.calls()).isLessThanOrEqualTo(10);
      assertThat(secondary.maxConcurrentCalls()).isLessThanOrEqualTo(10);
      assertThat(primary.calls()).as("the breaker opened and spared the primary").isLessThan(20);
    }
  }

  @Test
  void secondaryConcurrencyNeverExceedsTheBound() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofSeconds(5))
        .put("f", FlagValue.TRUE).answerAfter(Duration.ofMillis(100));
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(2).lastKnownGood(false).build()) {
      List<FlagDetail> details = together(1000,
          i -> client.getFlagDetail("tenant-" + (i % 50), "f", FlagValue.FALSE));
      assertThat(secondary.maxConcurrentCalls()).isLessThanOrEqualTo(2);
      assertThat(details).allSatisfy(d -> assertThat(d.source()).isIn(FlagSource.SECONDARY, FlagSource.DEFAULT));
      assertThat(details).anySatisfy(d -> assertThat(d.source()).isEqualTo(FlagSource.SECONDARY));
      assertThat(details).filteredOn(FlagDetail::isDefault)
          .allSatisfy(d -> assertThat(d.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE));
    }
  }

  @Test
  void secondaryAnswersAreReusedForTheWindowThenAskedAgain() {
    dev.flagstack.testing.MutableClock clock = new dev.flagstack.testing.MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).clock(clock)
        .secondaryCacheTtl(Duration.ofSeconds(5)).build()) {
      for (int i = 0; i < 100; i++) {
        assertThat(client.getBoolean("t", "f", false)).isTrue();
        assertThat(client.getFlagDetail("t", "missing", FlagValue.FALSE).errorKind())
            .isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
      }
      assertThat(secondary.calls()).isEqualTo(2);
      clock.advance(Duration.ofSeconds(6));
      assertThat(client.getBoolean("t", "f", false)).isTrue();
      assertThat(secondary.calls()).isEqualTo(3);
    }
  }
}
