package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attack findings on the engine that hold: stores that throw {@link Error}s, return null, never answer,
 * answer twice, or answer flags nobody asked for, through a real FlagClient. Reads stay bounded, typed
 * reads never throw, and the secondary keeps its permits.
 */
class EngineFindingsTest {
  private final java.util.List<FlagClient> clients = new java.util.ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(FlagClient::close);
  }

  private static FlagStore store(String name, Duration timeout,
      BiFunction<String, Set<String>, CompletionStage<Map<String, FlagValue>>> answer) {
    return new FlagStore() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration callTimeout() {
        return timeout;
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return answer.apply(entity, flags);
      }
    };
  }

  private FlagClient client(FlagStore primary, FlagStore secondary) {
    FlagClient.Builder b = FlagClient.builder().primary(primary).secondaryMaxConcurrency(2)
        .secondaryCacheTtl(Duration.ofMillis(1));
    if (secondary != null) {
      b.secondary(secondary);
    }
    FlagClient c = b.build();
    clients.add(c);
    return c;
  }

  private static long millis(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return (System.nanoTime() - t) / 1_000_000;
  }


  private static FlagEventListener throwing(boolean onResolved, boolean onFailed) {
    return new FlagEventListener() {
      @Override
      public void flagResolved(String entity, String flag, FlagSource source, String layer,
          FlagErrorKind errorKind, long nanos) {
        if (onResolved) {
          throw new StackOverflowError();
        }
      }

      @Override
      public void layerFailed(String layer, FlagSource role, Throwable error) {
        if (onFailed) {
          throw new OutOfMemoryError();
        }
      }
    };
  }

  private FlagClient withListener(FlagStore primary, FlagStore secondary, FlagEventListener listener) {
    FlagClient.Builder b = FlagClient.builder().primary(primary).eventListener(listener);
    if (secondary != null) {
      b.secondary(secondary);
    }
    FlagClient c = b.build();
    clients.add(c);
    return c;
  }

  @Test
  void aListenerThrowingAnErrorFromFlagResolvedDoesNotTurnAFoundValueIntoTheDefault() {
    FlagClient c = withListener(new InMemoryFlagStore("api").put("f", FlagValue.of("v")), null, throwing(true, false));
    assertThat(c.getString("e", "f", "default")).isEqualTo("v");
    assertThat(c.getFlagAsync("e2", "f").handle((v, e) -> v != null ? (Object) v : e).join()).isEqualTo(FlagValue.of("v"));
  }

  @Test
  void aListenerThrowingAnErrorFromLayerFailedDoesNotHideTheSecondarysValue() {
    FlagClient c = withListener(new InMemoryFlagStore("api").failTransiently(),
        new InMemoryFlagStore("db").put("f", FlagValue.of("db")), throwing(false, true));
    assertThat(c.getFlagDetail("e", "f", FlagValue.of("default")).value()).isEqualTo(FlagValue.of("db"));
  }

  /**
   * A store that blocks the calling thread breaks the SPI's contract and holds up the load it is part of
   * until it lets go; what the client guarantees is that its deadline still counts from the call, so an
   * answer that comes after it is a timeout (the breaker hears of a failure) and the read falls back,
   * instead of serving the late answer as the primary's.
   */
  @Test
  void aPrimaryThatBlocksTheCallingThreadPastItsDeadlineIsATimeoutAndTheReadFallsBack() {
    FlagClient c = client(store("api", Duration.ofMillis(200), (e, f) -> {
      try {
        Thread.sleep(800);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      return CompletableFuture.completedFuture(Map.of("f", FlagValue.of("late")));
    }), new InMemoryFlagStore("db").put("f", FlagValue.of("db")));
    FlagDetail detail = c.getFlagDetail("e", "f", FlagValue.of("default"));
    assertThat(detail.value()).isEqualTo(FlagValue.of("db"));
    assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
  }

  @Test
  void aPrimaryThrowingErrorsFallsBackToTheSecondaryEveryTime() {
    for (Error error : new Error[] {new StackOverflowError(), new OutOfMemoryError(), new AssertionError("x")}) {
      FlagClient c = client(store("api", Duration.ofMillis(300), (e, f) -> {
        throw error;
      }), new InMemoryFlagStore("db").put("f", FlagValue.of("db")));
      for (int i = 0; i < 20; i++) {
        FlagDetail d = c.getFlagDetail("e" + i, "f", FlagValue.of("default"));
        assertThat(d.source()).as(error + " read " + i).isEqualTo(FlagSource.SECONDARY);
      }
      assertThat(c.getLong("e", "f", 7L)).as("a typed read of the wrong type").isEqualTo(7L);
      assertThat(c.primaryBreakerState()).as("4 transient failures open the breaker").isEqualTo(BreakerState.OPEN);
    }
  }

  @Test
  void aPrimaryReturningNullOrANeverEndingStageFallsBackWithinItsTimeout() {
    for (int kind = 0; kind < 2; kind++) {
      boolean nullStage = kind == 0;
      FlagClient c = client(store("api", Duration.ofMillis(200), (e, f) -> nullStage ? null : new CompletableFuture<>()),
          new InMemoryFlagStore("db").put("f", FlagValue.of("db")));
      for (int i = 0; i < 20; i++) {
        String entity = "e" + i;
        AtomicReference<FlagDetail> d = new AtomicReference<>();
        long ms = millis(() -> d.set(c.getFlagDetail(entity, "f", FlagValue.of("default"))));
        assertThat(d.get().value()).as("kind " + kind + " read " + i + " " + d.get()).isEqualTo(FlagValue.of("db"));
        assertThat(ms).isLessThan(5_000);
      }
    }
  }

  @Test
  void aSecondaryThrowingErrorsOrNeverAnsweringLeaksNoPermit() throws Exception {
    AtomicReference<String> mode = new AtomicReference<>("error");
    InMemoryFlagStore good = new InMemoryFlagStore("db").put("f", FlagValue.of("db"));
    FlagStore secondary = store("db", Duration.ofMillis(150), (e, f) -> {
      switch (mode.get()) {
        case "error":
          throw new StackOverflowError();
        case "null":
          return null;
        case "hang":
          return new CompletableFuture<>();
        default:
          return good.getFlags(e, f);
      }
    });
    FlagClient c = client(store("api", Duration.ofMillis(100), (e, f) -> CompletableFuture.failedFuture(
        new RuntimeException("down"))), secondary);
    for (String m : new String[] {"error", "null", "hang"}) {
      mode.set(m);
      for (int i = 0; i < 20; i++) {
        assertThat(c.getString(m + i, "f", "default")).isEqualTo("default");
      }
    }
    mode.set("good");
    long deadline = System.nanoTime() + 15_000_000_000L;
    int ok = 0;
    while (ok < 20 && System.nanoTime() < deadline) {
      ok = c.getFlagDetail("x" + System.nanoTime(), "f", FlagValue.of("default")).source() == FlagSource.SECONDARY
          ? ok + 1 : 0;
    }
    assertThat(ok).as("20 secondary reads in a row after the misbehaviour").isEqualTo(20);
  }

  @Test
  void extraFlagsAndNullValuesInAPrimarysAnswerAreNeitherServedNorCached() {
    AtomicReference<Boolean> honest = new AtomicReference<>(false);
    FlagClient c = client(store("api", Duration.ofMillis(500), (e, f) -> {
      Map<String, FlagValue> m = new HashMap<>();
      if (honest.get()) {
        m.put("other", FlagValue.of("right"));
      } else {
        for (String flag : f) {
          m.put(flag, null);
        }
        m.put("other", FlagValue.of("WRONG"));
      }
      return CompletableFuture.completedFuture(m);
    }), null);
    assertThat(c.getFlagDetail("e", "f", FlagValue.of("default")).errorKind()).isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
    honest.set(true);
    assertThat(c.getString("e", "other", "default")).isEqualTo("right");
  }

  @Test
  void aStageThatCompletesTwiceServesTheFirstAnswerOnly() {
    FlagClient c = client(store("api", Duration.ofMillis(500), (e, f) -> new CompletableFuture<Map<String, FlagValue>>() {
      @Override
      public CompletableFuture<Map<String, FlagValue>> whenComplete(
          BiConsumer<? super Map<String, FlagValue>, ? super Throwable> action) {
        action.accept(Map.of("f", FlagValue.of("first")), null);
        action.accept(Map.of("f", FlagValue.of("second")), null);
        action.accept(null, new IllegalStateException("third"));
        return this;
      }
    }), null);
    assertThat(c.getString("e", "f", "default")).isEqualTo("first");
    assertThat(c.getString("e", "f", "default")).isEqualTo("first");
  }
}
