package dev.flagstack.examples;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.examples.reference.ReferenceFlagService;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.store.rest.RestFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.bson.Document;

/**
 * The whole stack on embedded parts, walked through the seed design's disaster table: a memory tier, a
 * real Redis (a local {@code redis-server} process), the reference flags service as the primary over real
 * sockets (gRPC by default, OFREP with {@code --ofrep}), and MongoDB as the secondary and as the service's
 * source of definitions (an in-JVM server spoken to by the real driver). The service is really slowed,
 * really stopped and really restarted. Each line says which layer answered and how long the read took.
 *
 * <p>{@code --drill} runs {@link dev.flagstack.examples.drill.Drill} instead: two clients under a steady
 * read load while the same table is walked in real time, with latency percentiles and every read judged.
 */
public final class Demo {
  private static final String TENANT = "tenant-42";
  private static final String FLAG = "new-checkout";
  /** The primary's call timeout in the demo, for both protocols (the seed's gRPC timeout). */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

  private Demo() {}

  public static void main(String[] args) throws Exception {
    boolean ofrep = List.of(args).contains("--ofrep");
    boolean drill = List.of(args).contains("--drill");
    for (String arg : args) {
      if (!arg.equals("--ofrep") && !arg.equals("--drill") && !arg.isBlank()) {
        throw new IllegalArgumentException("unknown option " + arg + "; options: --ofrep, --drill");
      }
    }
    if (drill) {
      if (ofrep) {
        throw new IllegalArgumentException("--drill runs over gRPC; it takes no --ofrep");
      }
      dev.flagstack.examples.drill.Drill.main(new String[0]);
      return;
    }
    RedisServerExtension redis = RedisServerExtension.localProcess();
    MongoServerExtension mongo = new MongoServerExtension();
    redis.ensureStarted();
    mongo.start();
    try (MongoClient admin = MongoClients.create(mongo.connectionString())) {
      admin.getDatabase("flagstack").getCollection("flags").insertOne(new Document("_id", FLAG)
          .append("value", false)
          .append("overrides", List.of(new Document("entity", TENANT).append("value", true))));
      try (ReferenceFlagService service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
          .build().start()) {
        run(redis, mongo, service, ofrep);
      }
    } finally {
      redis.stop();
      mongo.afterAll(null);
    }
  }

  private static void run(RedisServerExtension redis, MongoServerExtension mongo, ReferenceFlagService service,
      boolean ofrep) throws Exception {
    FastForwardClock clock = new FastForwardClock();
    // The gRPC store's change stream opens with "anything may have changed"; wait for it, so that it does
    // not empty the caches in the middle of the table.
    java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(1);
    dev.flagstack.FlagEventListener changes = new dev.flagstack.FlagEventListener() {
      @Override
      public void flagsChanged(java.util.Set<String> flags) {
        watching.countDown();
      }
    };
    MemoryFlagCache memory = MemoryFlagCache.builder().clock(clock).build();
    FlagStore primary = ofrep
        ? RestFlagStore.builder().name("flags-ofrep").baseUrl(service.ofrepBaseUrl()).callTimeout(CALL_TIMEOUT).build()
        : GrpcFlagStore.builder().name("flags-grpc").target(service.grpcTarget()).plaintext()
            .callTimeout(CALL_TIMEOUT).build();
    try (RedisFlagCache redisTier = RedisFlagCache.builder().uri(redis.uri()).build();
        MongoFlagStore mongoStore = MongoFlagStore.builder().connectionString(mongo.connectionString()).build();
        primary;
        FlagClient client = FlagClient.builder()
            .addCache(memory)
            .addCache(redisTier)
            .primary(primary)
            .secondary(mongoStore)
            .clock(clock)
            .eventListener(changes)
            .build()) {
      waitFor(redisTier::isConnected);
      if (!ofrep) {
        watching.await(10, java.util.concurrent.TimeUnit.SECONDS);
        // A shared tier refuses values loaded within its clock-skew allowance (1 s) of a change notice.
        Thread.sleep(1_100);
      }
      Table table = new Table(client);
      System.out.println();
      System.out.println("Redis at " + redis.uri() + " (" + redis.source() + "), MongoDB " + mongo.source()
          + ", primary: the reference flags service over " + (ofrep
              ? "OFREP at " + service.ofrepBaseUrl() : "gRPC at " + service.grpcTarget())
          + ", call timeout " + CALL_TIMEOUT.toMillis() + " ms");
      table.header();

      table.row("everything up: first read", () -> { });
      table.row("everything up: again", () -> { });
      Thread.sleep(100); // the write-back to Redis is fire-and-forget
      table.row("memory cold, Redis warm", memory::invalidateAll);

      redis.kill();
      table.row("Redis killed: memory still serves", () -> { });
      table.row("Redis killed, memory cold: primary", memory::invalidateAll);
      redis.restart();
      waitFor(redisTier::isConnected);

      redis.pause();
      table.row("Redis paused (times out): primary", memory::invalidateAll);
      redis.resume();

      service.delay(CALL_TIMEOUT.multipliedBy(2));
      for (int i = 1; i <= 4; i++) {
        table.row("primary slowed, times out (" + i + "/4): MongoDB", () -> flush(client, redis));
      }
      table.row("breaker open: primary skipped", () -> flush(client, redis));
      service.delay(Duration.ZERO);

      service.stop();
      clock.advance(Duration.ofSeconds(15).plusMillis(1));
      table.row("primary stopped, probe after 15 s fails", () -> flush(client, redis));

      mongo.stop();
      table.row("MongoDB down too: last known good", () -> flush(client, redis));
      try (FlagClient fresh = client.newBuilder().lastKnownGood(false).build()) {
        new Table(fresh).row("...nothing seen before: the default", () -> flush(fresh, redis));
      }

      service.start();
      mongo.restart();
      clock.advance(Duration.ofSeconds(30).plusMillis(1));
      table.row("everything back: probe after 30 s succeeds", () -> flush(client, redis));
      table.row("...and memory serves again", () -> { });
      System.out.println();
      System.out.println("Primary breaker: " + client.primaryBreakerState() + ". Open periods were skipped on the"
          + " client's clock (15 s, then 30 s, growing to 60 s); every failure above was real.");
    }
  }

  /**
   * Real time plus the time skipped: the breaker's open periods are jumped over instead of waited out,
   * while time still flows, so the load stamps a shared Redis tier compares with change notices keep
   * growing as they would in production.
   */
  private static final class FastForwardClock extends java.time.Clock {
    private final java.util.concurrent.atomic.AtomicLong skippedMillis = new java.util.concurrent.atomic.AtomicLong();

    void advance(Duration d) {
      skippedMillis.addAndGet(d.toMillis());
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + skippedMillis.get();
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis());
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("the demo's clock is UTC only");
    }
  }

  private static void flush(FlagClient client, RedisServerExtension redis) {
    client.invalidateAll();
    redis.flushAll();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Prints one line per read: the scenario, the value, where it came from, the time taken. */
  private static final class Table {
    private final FlagClient client;

    Table(FlagClient client) {
      this.client = client;
    }

    void header() {
      System.out.printf("%n%-44s %-6s %-22s %-11s %7s%n", "scenario", "value", "source", "layer", "ms");
      System.out.println("-".repeat(94));
    }

    void row(String scenario, Runnable before) {
      before.run();
      long start = System.nanoTime();
      FlagDetail detail = client.getFlagDetail(TENANT, FLAG, FlagValue.FALSE);
      double millis = (System.nanoTime() - start) / 1e6;
      String layer = detail.layer() == null ? "-" : detail.layer();
      String source = detail.isDefault() ? "DEFAULT (" + detail.errorKind() + ")" : detail.source().name();
      System.out.printf("%-44s %-6s %-22s %-11s %7.1f%n", scenario, detail.value().toJson(), source, layer, millis);
    }
  }
}
