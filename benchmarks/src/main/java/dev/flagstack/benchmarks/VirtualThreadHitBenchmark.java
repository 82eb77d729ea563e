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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A memory-tier hit made on a new virtual thread per read, as a server running one virtual thread per
 * request does, against a raw Caffeine hit made the same way. Needs JDK 21 or newer at run time
 * ({@code results.sh} forks it on one); it compiles on JDK 17 because the virtual-thread factory is
 * obtained through {@code Thread.ofVirtual().factory()} by method handles.
 *
 * <p>Every read starts a virtual thread, which reads and ends, and the benchmark thread joins it, so both
 * sides pay the same thread start and join; {@link #emptyVirtualThread} measures that alone. What is left
 * is the lookup on a thread that has never run before: whatever per-thread state the read needs (a
 * thread-local, its map) is created anew on every read, and shows in the time and in B/op.
 *
 * <p>The data and checks are those of {@link MemoryTierHitBenchmark} with 1,000 entities x 10 flags:
 * set-up fails unless every slot is a memory hit, tear-down if the primary was called or a read on a
 * virtual thread returned a wrong value.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class VirtualThreadHitBenchmark {
  static final int ENTITIES = 1000;
  static final int FLAGS = 10;
  static final int SLOTS = ENTITIES * FLAGS;
  static final int STRIDE = 7_919;
  static final Duration TTL = Duration.ofHours(6);

  private final String[] entityIds = new String[SLOTS];
  private final String[] flagIds = new String[SLOTS];
  private final String[] compositeKeys = new String[SLOTS];
  private final boolean[] expected = new boolean[SLOTS];
  private InMemoryFlagStore primary;
  private FlagClient client;
  private Cache<String, FlagValue> caffeine;
  private ThreadFactory virtualThreads;
  private int slot;
  private long wrong;

  /** A read's result, handed from the virtual thread to the benchmark thread (join orders the two). */
  private boolean result;

  @Setup(Level.Trial)
  public void setUp() throws Throwable {
    virtualThreads = virtualThreadFactory();
    MemoryFlagCache memory = MemoryFlagCache.builder().ttl(TTL).maximumSize(2L * SLOTS).build();
    caffeine = Caffeine.newBuilder().maximumSize(2L * SLOTS).expireAfterWrite(TTL).ticker(Ticker.systemTicker()).build();
    primary = new InMemoryFlagStore("primary");
    for (int e = 0; e < ENTITIES; e++) {
      String entity = String.format("tenant-%04d", e);
      for (int f = 0; f < FLAGS; f++) {
        String flag = String.format("flag-%02d", f);
        int s = e * FLAGS + f;
        boolean on = Integer.bitCount(s * 0x9E3779B9) % 2 == 0;
        primary.put(entity, flag, FlagValue.of(on));
        caffeine.put(entity + '\u0000' + flag, FlagValue.of(on));
        entityIds[s] = new String(entity.toCharArray());
        flagIds[s] = new String(flag.toCharArray());
        compositeKeys[s] = new String((entity + '\u0000' + flag).toCharArray());
        expected[s] = on;
      }
    }
    client = FlagClient.builder().addCache(memory).primary(primary).build();
    for (int s = 0; s < SLOTS; s++) {
      client.getFlag(entityIds[s], flagIds[s]);
    }
    primary.resetCounters();
    for (int s = 0; s < SLOTS; s++) {
      FlagDetail detail = client.getFlagDetail(entityIds[s], flagIds[s], FlagValue.of(!expected[s]));
      if (detail.source() != FlagSource.CACHE || !memory.name().equals(detail.layer())
          || !FlagValue.of(expected[s]).equals(detail.value())) {
        throw new IllegalStateException("slot " + s + " is not a memory hit: " + detail);
      }
    }
    Thread probe = virtualThreads.newThread(() -> { });
    if (!isVirtual(probe)) {
      throw new IllegalStateException("the factory made a platform thread");
    }
    if (getBoolean() != expected[slot] || rawCaffeine() != expected[slot]) {
      throw new IllegalStateException("a read on a virtual thread returned a wrong value");
    }
    wrong = 0;
  }

  @TearDown(Level.Trial)
  public void checkEveryReadWasARightHit() {
    int primaryCalls = primary.calls();
    client.close();
    primary.close();
    if (primaryCalls != 0) {
      throw new IllegalStateException(primaryCalls + " reads went to the primary: not all hits");
    }
    if (wrong != 0) {
      throw new IllegalStateException(wrong + " reads on virtual threads returned a wrong value");
    }
  }

  /** For reference, not a layer: starting and joining a virtual thread that does nothing. */
  @Benchmark
  public boolean emptyVirtualThread() throws InterruptedException {
    next();
    return run(() -> result = true);
  }

  /** The baseline: a raw Caffeine hit, on a new virtual thread. */
  @Benchmark
  public boolean rawCaffeine() throws InterruptedException {
    int s = next();
    boolean got = run(() -> result = caffeine.getIfPresent(compositeKeys[s]) == FlagValue.TRUE);
    if (got != expected[s]) {
      wrong++;
    }
    return got;
  }

  /** {@code FlagClient.getBoolean} on a new virtual thread. */
  @Benchmark
  public boolean getBoolean() throws InterruptedException {
    int s = next();
    boolean got = run(() -> result = client.getBoolean(entityIds[s], flagIds[s], false));
    if (got != expected[s]) {
      wrong++;
    }
    return got;
  }

  private boolean run(Runnable read) throws InterruptedException {
    Thread thread = virtualThreads.newThread(read);
    thread.start();
    thread.join();
    return result;
  }

  private int next() {
    int s = slot + STRIDE % SLOTS;
    if (s >= SLOTS) {
      s -= SLOTS;
    }
    slot = s;
    return s;
  }

  /** {@code Thread.ofVirtual().factory()}, looked up at run time so that this compiles on JDK 17. */
  static ThreadFactory virtualThreadFactory() throws Throwable {
    Class<?> builder;
    try {
      builder = Class.forName("java.lang.Thread$Builder$OfVirtual");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("virtual threads need JDK 21 or newer; this is "
          + System.getProperty("java.version") + " (results.sh runs this benchmark on JAVA21_HOME)", e);
    }
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Object ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builder)).invoke();
    Class<?> anyBuilder = Class.forName("java.lang.Thread$Builder");
    return (ThreadFactory) lookup.findVirtual(anyBuilder, "factory", MethodType.methodType(ThreadFactory.class))
        .invoke(ofVirtual);
  }

  private static boolean isVirtual(Thread thread) throws Throwable {
    return (boolean) MethodHandles.publicLookup()
        .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class)).invoke(thread);
  }
}
