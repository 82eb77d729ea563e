package dev.flagstack.benchmarks;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A measured run, not a JMH benchmark: in each round, {@value #THREADS} threads are released together by
 * a latch to read one key that no layer has seen (a new entity per round), through a client with a
 * memory tier over a primary that answers after {@link #PRIMARY_LATENCY}. Concurrent misses of one key
 * should share one load, so the expected answer is one primary call per {@value #THREADS} reads. It
 * counts the primary's calls in every round and writes them, with the rounds' durations, as properties.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.flagstack.benchmarks.ColdKeyStampede OUT.properties [ROUNDS]}.
 * Fails (exit 1) if any read returned a wrong value or failed, and throws if a round's threads do not all
 * get ready, or do not all finish, within 30 s.
 */
public final class ColdKeyStampede {
  static final int THREADS = 64;
  static final int DEFAULT_ROUNDS = 200;
  static final Duration PRIMARY_LATENCY = Duration.ofMillis(5);
  static final String FLAG = "new-checkout";

  private ColdKeyStampede() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ColdKeyStampede OUT.properties [ROUNDS]");
      System.exit(2);
    }
    int rounds = args.length == 2 ? Integer.parseInt(args[1]) : DEFAULT_ROUNDS;
    Properties result = run(rounds);
    try (Writer out = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8)) {
      result.store(out, "ColdKeyStampede");
    }
    System.out.println("cold-key stampede: " + result.getProperty("primaryCalls") + " primary calls for "
        + result.getProperty("reads") + " reads in " + rounds + " rounds of " + THREADS
        + " threads; calls per round: " + result.getProperty("callsPerRound"));
    if (!"0".equals(result.getProperty("wrongReads"))) {
      System.err.println(result.getProperty("wrongReads") + " reads were wrong or failed");
      System.exit(1);
    }
  }

  static Properties run(int rounds) throws InterruptedException, IOException {
    InMemoryFlagStore primary = new InMemoryFlagStore("primary").answerAfter(PRIMARY_LATENCY)
        .put(FLAG, FlagValue.TRUE);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    int[] calls = new int[rounds];
    long[] roundNanos = new long[rounds];
    AtomicInteger wrong = new AtomicInteger();
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary).build()) {
      for (int round = 0; round < rounds; round++) {
        String entity = "tenant-stampede-" + round; // never read before: cold in every layer
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
          pool.execute(() -> {
            try {
              ready.countDown();
              go.await();
              if (!FlagValue.TRUE.equals(client.getFlag(entity, FLAG))) {
                wrong.incrementAndGet();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              wrong.incrementAndGet();
            } catch (RuntimeException e) {
              wrong.incrementAndGet();
            } finally {
              done.countDown();
            }
          });
        }
        if (!ready.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("round " + round + ": the threads did not all get ready");
        }
        int before = primary.calls();
        long start = System.nanoTime();
        go.countDown();
        if (!done.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("round " + round + ": reads did not finish in 30 s");
        }
        roundNanos[round] = System.nanoTime() - start;
        calls[round] = primary.calls() - before;
      }
    } finally {
      pool.shutdownNow();
      primary.close();
    }

    Properties p = new Properties();
    int total = Arrays.stream(calls).sum();
    int[] sorted = calls.clone();
    Arrays.sort(sorted);
    long[] nanos = roundNanos.clone();
    Arrays.sort(nanos);
    p.setProperty("rounds", String.valueOf(rounds));
    p.setProperty("threads", String.valueOf(THREADS));
    p.setProperty("primaryLatencyMs", String.valueOf(PRIMARY_LATENCY.toMillis()));
    p.setProperty("reads", String.valueOf((long) rounds * THREADS));
    p.setProperty("primaryCalls", String.valueOf(total));
    p.setProperty("callsPerRound", histogram(sorted));
    p.setProperty("minCalls", String.valueOf(sorted[0]));
    p.setProperty("maxCalls", String.valueOf(sorted[sorted.length - 1]));
    p.setProperty("roundMsMedian", String.format(java.util.Locale.ROOT, "%.2f", nanos[nanos.length / 2] / 1e6));
    p.setProperty("roundMsMax", String.format(java.util.Locale.ROOT, "%.2f", nanos[nanos.length - 1] / 1e6));
    p.setProperty("wrongReads", String.valueOf(wrong.get()));
    return p;
  }

  /** "1 call: 198 rounds, 2 calls: 2 rounds" from sorted per-round counts. */
  private static String histogram(int[] sorted) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      out.append(out.length() == 0 ? "" : ", ").append(sorted[i]).append(sorted[i] == 1 ? " call: " : " calls: ")
          .append(j - i).append(j - i == 1 ? " round" : " rounds");
      i = j;
    }
    return out.toString();
  }
}
