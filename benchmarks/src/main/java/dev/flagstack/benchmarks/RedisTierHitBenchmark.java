package dev.flagstack.benchmarks;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.RedisServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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
 * A Redis-tier hit through {@link FlagClient} against a raw Lettuce {@code GET} of the same key, on one
 * real {@code redis-server} process on loopback.
 *
 * <p>The client's only tier is a {@link RedisFlagCache} (no memory tier in front, which would answer
 * instead), over a primary that holds the same values. {@value #ENTITIES} entities x {@value #FLAGS} flags
 * are read in turn. Set-up fills Redis through the client, then fails unless every key, computed by the
 * documented key layout, holds a value for the raw {@code GET} and every read through the client is a
 * cache hit from the Redis tier. A read that outlasts the tier's 100 ms budget is a miss and goes to the
 * primary; {@link BackendCalls} reports such primary calls per read (0.00 when every read was a hit), and
 * tear-down fails if they were more than 0.1% of the reads, if the tier's breaker opened, or if Redis did
 * not see exactly one {@code GET} or {@code MGET} per read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class RedisTierHitBenchmark {
  static final int ENTITIES = 100;
  static final int FLAGS = 10;
  static final int SLOTS = ENTITIES * FLAGS;
  /** A prime, coprime with {@link #SLOTS}, so the walk jumps between entities and visits every slot. */
  static final int STRIDE = 7_919;

  private RedisServerExtension redis;
  private RedisFlagCache tier;
  private InMemoryFlagStore primary;
  private FlagClient client;
  private RedisClient lettuce;
  private StatefulRedisConnection<String, String> connection;
  private final String[] entityIds = new String[SLOTS];
  private final String[] flagIds = new String[SLOTS];
  private final String[] keys = new String[SLOTS];
  private int slot;
  private long reads;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    redis = RedisServerExtension.localProcess();
    redis.ensureStarted();
    tier = RedisFlagCache.builder().uri(redis.uri()).build();
    primary = new InMemoryFlagStore("primary");
    boolean[] expected = new boolean[SLOTS];
    for (int e = 0; e < ENTITIES; e++) {
      String entity = String.format("tenant-%04d", e);
      for (int f = 0; f < FLAGS; f++) {
        String flag = String.format("flag-%02d", f);
        int s = e * FLAGS + f;
        expected[s] = Integer.bitCount(s * 0x9E3779B9) % 2 == 0;
        primary.put(entity, flag, FlagValue.of(expected[s]));
        entityIds[s] = entity;
        flagIds[s] = flag;
        // The layout sdk-cache-redis documents: <prefix>:{<n>:<entity>}:<m>:<flag>.
        keys[s] = RedisFlagCache.Builder.DEFAULT_PREFIX + ":{" + entity.length() + ':' + entity + "}:"
            + flag.length() + ':' + flag;
      }
    }
    client = FlagClient.builder().addCache(tier).primary(primary).build();
    lettuce = RedisClient.create(redis.uri());
    connection = lettuce.connect();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!tier.isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Redis tier did not connect to " + redis.uri());
      }
      Thread.sleep(10);
    }

    for (int s = 0; s < SLOTS; s++) {
      client.getFlag(entityIds[s], flagIds[s]);
    }
    // The write-back may finish after the read answers: wait until Redis holds every value.
    for (int s = 0; s < SLOTS; s++) {
      String want = FlagValue.of(expected[s]).toJson();
      String raw = connection.sync().get(keys[s]);
      while (raw == null || !raw.endsWith(want)) {
        if (System.nanoTime() > deadline + TimeUnit.SECONDS.toNanos(10)) {
          throw new IllegalStateException("key " + keys[s] + " holds " + raw + ", expected a value ending " + want);
        }
        client.getFlag(entityIds[s], flagIds[s]);
        Thread.sleep(5);
        raw = connection.sync().get(keys[s]);
      }
    }
    for (int s = 0; s < SLOTS; s++) {
      // On a busy machine a cold read can outlast the tier's 100 ms budget and count as a miss: allow a few.
      FlagValue want = FlagValue.of(expected[s]);
      FlagDetail detail = null;
      for (int attempt = 0; attempt < 5 && (detail == null || !isRedisHit(detail, want)); attempt++) {
        detail = client.getFlagDetail(entityIds[s], flagIds[s], FlagValue.of(!expected[s]));
      }
      if (!isRedisHit(detail, want)) {
        throw new IllegalStateException("slot " + s + " is not a Redis hit: " + detail);
      }
    }
    primary.resetCounters();
    redis.resetStats();
  }

  @TearDown(Level.Trial)
  public void checkEveryReadWasOneRedisHit() throws Exception {
    long commands = redis.commandCalls("get") + redis.commandCalls("mget");
    BreakerState breaker = client.cacheBreakerState(tier.name());
    int primaryCalls = primary.calls();
    client.close();
    tier.close();
    connection.close();
    lettuce.shutdown();
    redis.stop();
    if (primaryCalls > reads / 1000) {
      throw new IllegalStateException(primaryCalls + " of " + reads + " reads went to the primary: not hits");
    }
    if (breaker != BreakerState.CLOSED) {
      throw new IllegalStateException("the Redis tier's breaker is " + breaker + ": some reads were not hits");
    }
    if (commands != reads) {
      throw new IllegalStateException(reads + " reads made " + commands + " GET/MGET commands");
    }
  }

  private boolean isRedisHit(FlagDetail detail, FlagValue want) {
    return detail.source() == FlagSource.CACHE && tier.name().equals(detail.layer()) && want.equals(detail.value());
  }

  /** The baseline: a synchronous Lettuce {@code GET} of the key, the value left as Redis stores it. */
  @Benchmark
  public String rawLettuceGet() {
    reads++;
    return connection.sync().get(keys[next()]);
  }

  /** For reference, not a layer: the same {@code GET} through Lettuce's async API, awaited. */
  @Benchmark
  public String asyncLettuceGet() {
    reads++;
    return connection.async().get(keys[next()]).toCompletableFuture().join();
  }

  /** A Redis-tier hit: the client, the tier's breaker and time budget, {@code MGET}, value decoding. */
  @Benchmark
  public FlagValue getFlag(BackendCalls calls) {
    reads++;
    int s = next();
    int before = primary.calls();
    FlagValue value = client.getFlag(entityIds[s], flagIds[s]);
    calls.count(before, primary.calls());
    return value;
  }

  private int next() {
    int s = slot + STRIDE % SLOTS;
    if (s >= SLOTS) {
      s -= SLOTS;
    }
    slot = s;
    return s;
  }
}
