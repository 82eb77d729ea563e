package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, items 7 and 8: the secondary's bound is real, and it serves a cold-cache outage. */
@Timeout(60)
class SecondaryFallbackTest {
  private static final FlagDefinition CHECKOUT = FlagDefinition.builder()
      .key("new-checkout")
      .defaultValue(FlagValue.FALSE)
      .override("entity-7", FlagValue.TRUE)
      .rollout(Rollout.ofPercentage(30, FlagValue.TRUE))
      .build();

  private static FlagClient openPrimaryBreaker(FlagClient client) {
    for (int i = 0; i < BreakerSettings.DEFAULT_FAILURE_THRESHOLD; i++) {
      client.getFlagDetail("warm-up-" + i, "warm-up", FlagValue.FALSE);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    return client;
  }

  @Test
  void theBoundHoldsWhileAnAbandonedQueryIsStillRunningAtTheStore() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofMillis(50))
        .put("f", FlagValue.TRUE).answerAfter(Duration.ofMillis(150)); // late, well before the backstop
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(2).lastKnownGood(false).build()) {
      openPrimaryBreaker(client);
      secondary.resetCounters();
      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        FlagDetail detail = client.getFlagDetail("e" + i, "f", FlagValue.FALSE);
        assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
            .as("the caller is answered at the timeout, not when the store finishes").isLessThan(1000);
      }
      assertThat(secondary.maxConcurrentCalls()).as("queries running at the store at once").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aQueryThatNeverCompletesGivesItsPermitBackAfterTheBackstop() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofMillis(40)).put("f", FlagValue.TRUE).hang();
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(1).lastKnownGood(false).build()) {
      openPrimaryBreaker(client);
      assertThat(client.getFlagDetail("hung", "f", FlagValue.FALSE).errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
      secondary.answer();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      FlagDetail detail;
      int n = 0;
      do {
        detail = client.getFlagDetail("later-" + n++, "f", FlagValue.FALSE);
      } while (detail.source() != FlagSource.SECONDARY && System.nanoTime() < deadline);
      assertThat(detail.source()).as("the permit came back though the store never answered").isEqualTo(FlagSource.SECONDARY);
    }
  }

  @Test
  void aReadWaitsForAFreePermitInsteadOfSkippingTheSecondary() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofSeconds(2))
        .put("f", FlagValue.TRUE).answerAfter(Duration.ofMillis(50));
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary)
        .secondaryMaxConcurrency(1).lastKnownGood(false).build()) {
      openPrimaryBreaker(client);
      secondary.resetCounters();
      List<CompletableFuture<FlagDetail>> reads = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        reads.add(client.getFlagDetailAsync("e" + i, "f", FlagValue.FALSE));
      }
      for (CompletableFuture<FlagDetail> read : reads) {
        assertThat(read.get(10, TimeUnit.SECONDS).source()).isEqualTo(FlagSource.SECONDARY);
      }
      assertThat(secondary.maxConcurrentCalls()).isEqualTo(1);
    }
  }

  @Test
  void definitionsAreLoadedOncePerFlagAndEvaluatedForEveryEntity() {
    MutableClock clock = new MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    try (DefinitionStoreFake secondary = new DefinitionStoreFake("mongo", Duration.ofSeconds(1), Duration.ZERO).put(CHECKOUT);
        FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).clock(clock)
            .lastKnownGood(false).build()) {
      openPrimaryBreaker(client);
      int before = secondary.queries.get();
      for (int i = 0; i < 200; i++) {
        String entity = "entity-" + i;
        FlagDetail detail = client.getFlagDetail(entity, "new-checkout", FlagValue.of("default"));
        assertThat(detail.value()).as(entity).isEqualTo(CHECKOUT.evaluate(entity));
        assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
        assertThat(client.getFlagDetail(entity, "gone", FlagValue.FALSE).errorKind())
            .isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
      }
      assertThat(secondary.queries.get() - before).as("one query per flag, for every entity").isEqualTo(2);
      assertThat(secondary.entityQueries.get()).as("never asked per entity").isZero();

      clock.advance(FlagClient.Builder.DEFAULT_SECONDARY_CACHE_TTL.plusMillis(1));
      client.getFlagDetail("entity-1", "new-checkout", FlagValue.FALSE);
      assertThat(secondary.queries.get() - before).as("asked again after the TTL").isEqualTo(3);
      client.invalidate("entity-1", "new-checkout");
      client.getFlagDetail("entity-2", "new-checkout", FlagValue.FALSE);
      assertThat(secondary.queries.get() - before).as("asked again after an invalidation").isEqualTo(4);
    }
  }

  @Test
  void aColdCachePrimaryOutageIsServedByTheSecondaryForTwoThousandEntities() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").failTransiently();
    ExecutorService threads = Executors.newFixedThreadPool(64);
    try (DefinitionStoreFake secondary = new DefinitionStoreFake("mongo", Duration.ofSeconds(2), Duration.ofMillis(20))
            .put(CHECKOUT);
        FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary).secondary(secondary)
            .secondaryMaxConcurrency(8).lastKnownGood(false).build()) {
      openPrimaryBreaker(client);
      int before = secondary.queries.get();
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        String entity = "entity-" + i;
        results.add(threads.submit(() -> client.getFlagDetail(entity, "new-checkout", FlagValue.of("default"))
            .value().equals(CHECKOUT.evaluate(entity))));
      }
      int right = 0;
      for (Future<Boolean> result : results) {
        if (result.get(30, TimeUnit.SECONDS)) {
          right++;
        }
      }
      int queries = secondary.queries.get() - before;
      System.out.printf("cold-cache burst: %d of 2000 right, %d definition queries, at most %d at once%n",
          right, queries, secondary.maxRunning.get());
      assertThat(right).as("right values out of 2000").isGreaterThanOrEqualTo(1980);
      assertThat(secondary.maxRunning.get()).as("queries at once").isLessThanOrEqualTo(8);
      assertThat(queries).as("queries for 2000 entities of one flag").isBetween(1, 5);
    } finally {
      threads.shutdownNow();
    }
  }
}
