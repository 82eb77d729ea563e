package dev.flagstack.examples.drill;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.examples.drill.Faults.Fault;
import dev.flagstack.examples.reference.ReferenceFlagService;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The drill ({@code Demo --drill}): two {@link FlagClient}s, as two processes of one service would have,
 * sharing one real Redis, each with its own memory tier, gRPC primary (the reference flags service, 1 s
 * timeout) and MongoDB secondary, all on the same embedded servers as the demo. Reader threads read a steady
 * stream of known flags through both while the drill walks the seed design's disaster table and changes a
 * flag in the service; every read is timed and judged by a {@link ValueOracle}.
 *
 * <p>Every client setting is the default except the primary's 1 s timeout, so the primary breaker's open
 * period is the real 15 s: the "primary back" step lasts until both clients' probes have closed it. Prints
 * a progress line per step and a summary table; fails (a non-zero exit through Maven) if any read returned
 * a wrong value or a typed read threw. Logs at WARN unless {@code -Dflagstack.drill.verbose=true}.
 */
public final class Drill {
  /** The primary's call timeout: the seed's gRPC timeout. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
  /** How late a slowed primary answers: well past the timeout. */
  static final Duration SLOW_DELAY = Duration.ofSeconds(2);
  /** How long after a change a client may still serve the old value: the change-notice bound. */
  static final Duration NOTICE_BOUND = Duration.ofSeconds(1);
  static final List<String> FLAGS = List.of("checkout", "theme", "search", "pricing");
  static final String CHANGED_FLAG = "theme";
  static final int HOT_ENTITIES = 64;
  static final String PROBE_ENTITY = "tenant-0";
  /** The longest the "primary back" step waits for both breakers to close: 15 s open period plus margin. */
  static final Duration BREAKER_WAIT = Duration.ofSeconds(25);
  /** Reads before the first step, not counted: the JIT compiles the read path meanwhile. */
  static final Duration WARM_UP = Duration.ofMillis(1500);

  private final PrintStream out;
  private final RedisServerExtension redis;
  private final MongoServerExtension mongo;
  private final ReferenceFlagService service;
  private final FlagChanger changer;
  private final ValueOracle oracle;
  private final Faults faults;
  private final List<FlagClient> clients = new ArrayList<>();
  private final List<BreakerTrail> trails = new ArrayList<>();
  private final List<AutoCloseable> parts = new ArrayList<>();

  private Drill(PrintStream out, RedisServerExtension redis, MongoServerExtension mongo, ReferenceFlagService service,
      FlagChanger changer, ValueOracle oracle) {
    this.out = out;
    this.redis = redis;
    this.mongo = mongo;
    this.service = service;
    this.changer = changer;
    this.oracle = oracle;
    this.faults = new Faults(redis, mongo, service, SLOW_DELAY);
  }

  /** Runs the drill on embedded servers; throws if a read returned a wrong value. */
  public static void main(String[] args) throws Exception {
    if (!Boolean.getBoolean("flagstack.drill.verbose")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel", "error");
    }
    long start = System.nanoTime();
    RedisServerExtension redis = RedisServerExtension.localProcess();
    MongoServerExtension mongo = new MongoServerExtension();
    redis.ensureStarted();
    mongo.start();
    ValueOracle oracle = new ValueOracle(NOTICE_BOUND);
    try (MongoClient admin = MongoClients.create(mongo.connectionString());
        ReferenceFlagService service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
            .build().start()) {
      FlagChanger changer = new FlagChanger(admin.getDatabase("flagstack").getCollection("flags"), service, oracle,
          PROBE_ENTITY);
      changer.seed(FLAGS);
      Drill drill = new Drill(System.out, redis, mongo, service, changer, oracle);
      try {
        drill.run(start);
      } finally {
        drill.closeClients();
      }
    } finally {
      redis.stop();
      mongo.afterAll(null);
    }
  }

  private void run(long start) throws Exception {
    for (int c = 0; c < 2; c++) {
      buildClient();
    }
    List<String> hot = new ArrayList<>();
    for (int i = 0; i < HOT_ENTITIES; i++) {
      hot.add("tenant-" + i);
    }
    warmUp(hot);
    out.printf(Locale.ROOT, "%nReady after %.1f s (servers started, clients connected and warm).%n",
        (System.nanoTime() - start) / 1e9);
    out.printf(Locale.ROOT, "The drill: 2 clients sharing Redis at %s, primary: the reference flags service over gRPC"
            + " at %s (timeout %d ms), secondary: MongoDB (%s). Readers: 2 hot threads per client (%d entities x %d"
            + " flags, memory hits) and 4 cold threads per client (a new entity every 20 ms each). Every read is"
            + " judged; a client may lag a flag change by %d ms.%n%n",
        redis.uri(), service.grpcTarget(), CALL_TIMEOUT.toMillis(), mongo.source(), HOT_ENTITIES, FLAGS.size(),
        NOTICE_BOUND.toMillis());
    DrillTable table = new DrillTable(out, start);
    ReadLoad load = new ReadLoad(clients, FLAGS, hot, oracle, new ReadLoad.Settings()
        .hotThreadsPerClient(2).coldThreadsPerClient(4).coldInterval(Duration.ofMillis(20)));
    try {
      Thread.sleep(WARM_UP.toMillis()); // the JIT compiles the read path; these reads are not counted
      load.drain();
      walk(table, load);
    } finally {
      load.close();
    }
    table.summary();
    verdict(table);
  }

  private void walk(DrillTable table, ReadLoad load) throws Exception {
    Duration d3 = Duration.ofSeconds(3);
    Duration d4 = Duration.ofSeconds(4);
    List<Step> steps = List.of(
        new Step("everything up", d3, () -> { }),
        new Step("flag changed", d3, () -> { }),
        new Step("cache slow", d3, () -> faults.inject(Fault.REDIS_PAUSED)),
        new Step("cache down", d3, () -> {
          faults.heal(Fault.REDIS_PAUSED);
          faults.inject(Fault.REDIS_KILLED);
        }),
        new Step("primary slow", d4, () -> {
          faults.heal(Fault.REDIS_KILLED);
          faults.inject(Fault.PRIMARY_SLOW);
        }),
        new Step("primary down", d3, () -> {
          faults.heal(Fault.PRIMARY_SLOW);
          faults.inject(Fault.PRIMARY_STOPPED);
        }),
        // Longer than the secondary's 5 s cache of definitions, which answers for MongoDB meanwhile.
        new Step("secondary down too", Duration.ofSeconds(6), () -> faults.inject(Fault.MONGO_STOPPED)),
        new Step("primary back", null, () -> faults.heal(Fault.PRIMARY_STOPPED)),
        new Step("everything back", d3, faults::healAll));
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      step.before.run();
      String broken = faults.describe();
      table.stepStarted(i + 1, steps.size(), step.name, broken);
      load.drain();
      long began = System.nanoTime();
      String change = "";
      if (step.name.equals("flag changed")) {
        change = measureChange(step.duration);
      }
      if (step.duration == null) {
        // Real time: the breakers' 15 s open period runs out, then one probe per client must succeed.
        waitUntil(BREAKER_WAIT, () -> clients.stream().allMatch(c -> c.primaryBreakerState()
            == dev.flagstack.BreakerState.CLOSED));
        sleepUntil(System.nanoTime() + Duration.ofSeconds(1).toNanos());
      } else {
        sleepUntil(began + step.duration.toNanos());
      }
      ReadStats stats = load.drain();
      double seconds = (System.nanoTime() - began) / 1e9;
      table.stepEnded(new DrillTable.Row(step.name, broken, seconds, stats, breakers(), change));
    }
  }

  /**
   * Changes {@link #CHANGED_FLAG} and polls both clients until each reads the new value for the probe
   * entity; returns the time from the start of the change (before the write to MongoDB) until the later of
   * the two first read it, or "not within ..." if one never did during the step.
   */
  private String measureChange(Duration within) throws InterruptedException {
    ValueOracle.Change change = changer.change(CHANGED_FLAG);
    FlagValue expected = oracle.valueNow(CHANGED_FLAG, PROBE_ENTITY);
    long deadline = change.beganNanos() + within.toNanos();
    long[] seen = new long[clients.size()];
    int missing = clients.size();
    while (missing > 0 && System.nanoTime() < deadline) {
      for (int c = 0; c < clients.size(); c++) {
        if (seen[c] == 0) {
          long readStart = System.nanoTime();
          if (expected.equals(clients.get(c).getFlagDetail(PROBE_ENTITY, CHANGED_FLAG, ReadLoad.DEFAULT).value())) {
            seen[c] = readStart;
            missing--;
          }
        }
      }
      Thread.sleep(0, 200_000);
    }
    if (missing > 0) {
      return "not within " + within.toSeconds() + " s";
    }
    long last = Math.max(seen[0], seen[1]);
    return DrillTable.duration(last - change.beganNanos());
  }

  private String breakers() {
    List<String> trailsNow = new ArrayList<>();
    for (int c = 0; c < clients.size(); c++) {
      FlagClient client = clients.get(c);
      trailsNow.add(trails.get(c).drain(client.primaryBreakerState(), client.cacheBreakerState("redis")));
    }
    return String.join(" | ", trailsNow);
  }

  private void verdict(DrillTable table) {
    long wrong = 0;
    long threw = 0;
    for (DrillTable.Row row : table.rows()) {
      wrong += row.stats.wrong();
      threw += row.stats.typedReadsThatThrew();
    }
    DrillTable.Row steady = table.rows().get(0);
    DrillTable.Row changed = table.rows().get(1);
    out.println();
    out.printf(Locale.ROOT, "Steady state: p99 %s, p99.9 %s (a memory hit is well under 10 µs).%n",
        DrillTable.duration(steady.stats.latencyNanos(99)), DrillTable.duration(steady.stats.latencyNanos(99.9)));
    out.printf(Locale.ROOT, "Flag change: both clients read the new value after %s (bound %d ms).%n", changed.change,
        NOTICE_BOUND.toMillis());
    out.printf(Locale.ROOT, "Wrong values: %d.%n", wrong);
    if (wrong > 0 || threw > 0) {
      throw new IllegalStateException("the drill saw " + wrong + " wrong values and " + threw
          + " typed reads that threw");
    }
  }

  private void buildClient() {
    MemoryFlagCache memory = MemoryFlagCache.builder().build();
    RedisFlagCache redisTier = RedisFlagCache.builder().uri(redis.uri()).build();
    parts.add(redisTier);
    GrpcFlagStore primary = GrpcFlagStore.builder().name("flags-grpc").target(service.grpcTarget()).plaintext()
        .callTimeout(CALL_TIMEOUT).build();
    parts.add(primary);
    MongoFlagStore secondary = MongoFlagStore.builder().connectionString(mongo.connectionString()).build();
    parts.add(secondary);
    BreakerTrail trail = new BreakerTrail();
    FlagClient client = FlagClient.builder().addCache(memory).addCache(redisTier).primary(primary)
        .secondary(secondary).eventListener(trail).build();
    parts.add(0, client); // closed first
    clients.add(client);
    trails.add(trail);
    waitUntil(Duration.ofSeconds(10), redisTier::isConnected);
    // A first call connects the channel, which on a cold JVM can take longer than the 1 s timeout; a
    // failure here would count against the breaker, so connect before the client reads.
    waitUntil(Duration.ofSeconds(20), () -> {
      try {
        return !primary.getFlags(PROBE_ENTITY, Set.of(FLAGS.get(0))).toCompletableFuture().join().isEmpty();
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  /** Reads every hot key once through each client, so the steady state starts with warm memory and Redis. */
  private void warmUp(List<String> hot) throws InterruptedException {
    for (FlagClient client : clients) {
      for (String entity : hot) {
        client.getFlags(entity, FLAGS);
      }
    }
    Thread.sleep(200); // change-notice streams open in the background
    for (BreakerTrail trail : trails) {
      trail.drain(null, null);
    }
  }

  private void closeClients() {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        out.println("closing " + part + " failed: " + e);
      }
    }
  }

  private static void waitUntil(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  private static final class Step {
    final String name;
    final Duration duration;
    final Runnable before;

    Step(String name, Duration duration, Runnable before) {
      this.name = name;
      this.duration = duration;
      this.before = before;
    }
  }
}
