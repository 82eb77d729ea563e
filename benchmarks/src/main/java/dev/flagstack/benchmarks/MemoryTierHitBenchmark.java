package dev.flagstack.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A memory-tier hit through {@link FlagClient} against the same lookup in a raw Caffeine cache.
 *
 * <p>All three benchmarks read {@code entities} x {@value #FLAGS} boolean flags, every one of them cached
 * before measuring, and pick the slot with the same {@link Cursor} walk, so they differ only in the
 * lookup itself. With 1,000 entities the entries outgrow the CPU's private caches and a hit is mostly
 * waiting on memory, as in a busy server; with 10 they stay in L1, which shows the CPU cost of the layers
 * the client adds around the Caffeine lookup. The baseline, {@link #rawCaffeine}, is the best a user of Caffeine alone could do:
 * a cache with the same size bound and TTL as {@link MemoryFlagCache} (by Caffeine's
 * {@code expireAfterWrite}), keyed by a {@code entity + '\u0000' + flag} String that was built and hashed
 * ahead of time (a user building it per call would also pay for the concatenation and its garbage).
 *
 * <p>The ids passed to each lookup are copies of the stored ones, not the same instances, as ids read
 * from a request would be, so every hit compares characters rather than succeeding on identity. Their
 * hash codes are computed once in set-up, as a long-lived id's would be.
 *
 * <p>Set-up fails unless every slot is a memory hit, and tear-down fails if the primary store was called
 * during the run, so a result always measures a hit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public abstract class MemoryTierHitBenchmark {
  static final int FLAGS = 10;
  /** A prime, so the walk's step is coprime with any slot count here and visits every slot. */
  static final int STRIDE = 7_919;
  /** Long enough that no entry expires during a run. */
  static final Duration TTL = Duration.ofHours(6);

  /** Entities, each with {@value #FLAGS} flags: the working set. */
  @Param({"1000", "10"})
  public int entities;

  private int slots;
  /** The walk's step, jumping between entities. */
  private int step;
  /** Ids and keys as passed to the lookups: copies of the stored instances, hashed once. */
  private String[] entityIds;
  private String[] flagIds;
  private String[] compositeKeys;
  private boolean[] expected;

  private InMemoryFlagStore primary;
  private FlagClient client;
  private Cache<String, FlagValue> caffeine;
  private int primaryCallsAfterWarmUp;

  /** One thread. */
  @Threads(1)
  public static class OneThread extends MemoryTierHitBenchmark {}

  /** Two threads sharing the client and the cache (this machine has two cores). */
  @Threads(2)
  public static class TwoThreads extends MemoryTierHitBenchmark {}

  /** Each thread's position in the walk over the slots. */
  @State(Scope.Thread)
  public static class Cursor {
    private int slot;

    /** Where this thread starts; threads start apart so they do not read the same entry at once. */
    private int offset;

    @Setup(Level.Trial)
    public void start(ThreadParams thread) {
      offset = thread.getThreadIndex() * 5_003;
      slot = -1;
    }

    int next(int slots, int step) {
      int s = slot;
      if (s < 0) {
        s = offset % slots;
      }
      s += step;
      if (s >= slots) {
        s -= slots;
      }
      slot = s;
      return s;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    slots = entities * FLAGS;
    step = STRIDE % slots;
    entityIds = new String[slots];
    flagIds = new String[slots];
    compositeKeys = new String[slots];
    expected = new boolean[slots];
    long maximumSize = 2L * slots;
    MemoryFlagCache memory = MemoryFlagCache.builder().ttl(TTL).maximumSize(maximumSize).build();
    primary = new InMemoryFlagStore("primary");
    caffeine = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfterWrite(TTL)
        .ticker(Ticker.systemTicker())
        .build();
    for (int e = 0; e < entities; e++) {
      String entity = String.format("tenant-%04d", e);
      for (int f = 0; f < FLAGS; f++) {
        String flag = String.format("flag-%02d", f);
        int slot = e * FLAGS + f;
        // Mixed values, so a read's result cannot be folded to a constant.
        boolean on = Integer.bitCount(slot * 0x9E3779B9) % 2 == 0;
        FlagValue value = FlagValue.of(on);
        primary.put(entity, flag, value);
        caffeine.put(entity + '\u0000' + flag, value);
        entityIds[slot] = copy(entity);
        flagIds[slot] = copy(flag);
        compositeKeys[slot] = copy(entity + '\u0000' + flag);
        expected[slot] = on;
      }
    }
    client = FlagClient.builder().addCache(memory).primary(primary).build();

    for (int slot = 0; slot < slots; slot++) {
      client.getFlag(entityIds[slot], flagIds[slot]);
    }
    primaryCallsAfterWarmUp = primary.calls();
    for (int slot = 0; slot < slots; slot++) {
      FlagValue want = FlagValue.of(expected[slot]);
      FlagDetail detail = client.getFlagDetail(entityIds[slot], flagIds[slot], FlagValue.of(!expected[slot]));
      if (detail.source() != FlagSource.CACHE || !memory.name().equals(detail.layer())
          || !want.equals(detail.value())) {
        throw new IllegalStateException("slot " + slot + " is not a memory hit after warm-up: " + detail);
      }
      if (client.getBoolean(entityIds[slot], flagIds[slot], !expected[slot]) != expected[slot]
          || !want.equals(client.getFlag(entityIds[slot], flagIds[slot]))
          || !want.equals(caffeine.getIfPresent(compositeKeys[slot]))) {
        throw new IllegalStateException("slot " + slot + " reads a wrong value");
      }
    }
    if (primary.calls() != primaryCallsAfterWarmUp || memory.size() != slots) {
      throw new IllegalStateException("warm-up left " + memory.size() + " of " + slots
          + " entries in the memory tier");
    }
  }

  @TearDown(Level.Trial)
  public void checkEveryReadWasAHit() {
    int misses = primary.calls() - primaryCallsAfterWarmUp;
    client.close();
    primary.close();
    if (misses != 0) {
      throw new IllegalStateException(misses + " reads went to the primary store: the results are not all hits");
    }
  }

  /** The baseline: a raw Caffeine hit on a precomputed composite key. */
  @Benchmark
  public FlagValue rawCaffeine(Cursor cursor) {
    return caffeine.getIfPresent(compositeKeys[cursor.next(slots, step)]);
  }

  /** The typed read, which should be as cheap as the baseline and allocate nothing. */
  @Benchmark
  public boolean getBoolean(Cursor cursor) {
    int slot = cursor.next(slots, step);
    return client.getBoolean(entityIds[slot], flagIds[slot], false);
  }

  /** The throwing read. */
  @Benchmark
  public FlagValue getFlag(Cursor cursor) {
    int slot = cursor.next(slots, step);
    return client.getFlag(entityIds[slot], flagIds[slot]);
  }

  private static String copy(String s) {
    String c = new String(s.toCharArray());
    c.hashCode();
    return c;
  }
}
