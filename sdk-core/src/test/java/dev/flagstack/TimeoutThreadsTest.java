package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, item 4: timeouts fire on the client's own timer and nothing else ever runs on it. */
@Timeout(30)
class TimeoutThreadsTest {

  @Test
  void aBlockingCallbackOnOneReadDoesNotDelayAnotherReadsTimeout() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(50)).hang();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    try (FlagClient client = FlagClient.builder().primary(primary).lastKnownGood(false).build()) {
      CompletableFuture<FlagDetail> first = client.getFlagDetailAsync("e1", "f", FlagValue.FALSE);
      first.thenAccept(detail -> {
        blocking.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(blocking.await(5, TimeUnit.SECONDS)).as("the first read timed out").isTrue();
      long start = System.nanoTime();
      CompletableFuture<FlagDetail> second = client.getFlagDetailAsync("e2", "f", FlagValue.FALSE);
      try {
        FlagDetail detail = second.get(2, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
        assertThat(millis).as("a 50 ms timeout, while another caller's callback blocks").isLessThan(500);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the second read's 50 ms timeout did not fire within 2 s", e);
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void noCallbackRunsOnATimerThread() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(30)).hang();
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofMillis(30)).hang();
    AtomicReference<String> callbackThread = new AtomicReference<>();
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).build()) {
      client.getFlagDetailAsync("e", "f", FlagValue.FALSE)
          .thenAccept(d -> callbackThread.set(Thread.currentThread().getName()))
          .get(5, TimeUnit.SECONDS);
    }
    assertThat(callbackThread.get())
        .doesNotContain("DelayScheduler")
        .doesNotStartWith("flagstack-timer");
  }

  @Test
  void aSuppliedExecutorRunsTheContinuations() throws Exception {
    java.util.concurrent.ExecutorService mine = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "callers-pool"));
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(30)).hang();
    AtomicReference<String> callbackThread = new AtomicReference<>();
    try (FlagClient client = FlagClient.builder().primary(primary).executor(mine).build()) {
      client.getFlagDetailAsync("e", "f", FlagValue.FALSE)
          .thenAccept(d -> callbackThread.set(Thread.currentThread().getName()))
          .get(5, TimeUnit.SECONDS);
    }
    assertThat(callbackThread.get()).isEqualTo("callers-pool");
    assertThat(mine.isShutdown()).as("the caller's executor stays the caller's").isFalse();
    mine.shutdownNow();
  }

  @Test
  void closeStopsTheClientsOwnThreads() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(20)).hang();
    FlagClient client = FlagClient.builder().primary(primary).build();
    client.getFlagDetail("e", "f", FlagValue.FALSE);
    java.util.List<Thread> mine = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.getName().startsWith("flagstack-"))
        .toList();
    assertThat(mine).as("a timer thread at least").anyMatch(t -> t.getName().startsWith("flagstack-timer-"));
    assertThat(mine).allMatch(Thread::isDaemon);
    client.close();
    for (Thread t : mine) {
      t.join(5000);
      assertThat(t.isAlive()).as("%s after close", t.getName()).isFalse();
    }
  }
}
