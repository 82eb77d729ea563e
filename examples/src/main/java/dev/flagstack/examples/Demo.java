package dev.flagstack.examples;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.bson.Document;

/**
 * The whole stack on embedded parts, walked through the seed design's disaster table: a memory tier, a
 * real Redis (a local {@code redis-server} process), a primary flags API (an in-process stand-in that
 * fails on cue) and a MongoDB secondary (an in-JVM server spoken to by the real driver). Each line says
 * which layer answered and how long the read took.
 */
public final class Demo {
  private static final String TENANT = "tenant-42";
  private static final String FLAG = "new-checkout";

  private Demo() {}

  public static void main(String[] args) throws Exception {
    RedisServerExtension redis = RedisServerExtension.localProcess();
    MongoServerExtension mongo = new MongoServerExtension();
    redis.ensureStarted();
    mongo.start();
    try (MongoClient admin = MongoClients.create(mongo.connectionString())) {
      admin.getDatabase("flagstack").getCollection("flags").insertOne(new Document("_id", FLAG)
          .append("value", false)
          .append("overrides", List.of(new Document("entity", TENANT).append("value", true))));
      run(redis, mongo);
    } finally {
      redis.stop();
      mongo.afterAll(null);
    }
  }

  private static void run(RedisServerExtension redis, MongoServerExtension mongo) throws InterruptedException {
    InMemoryFlagStore flagsApi = new InMemoryFlagStore("flags-api", Duration.ofMillis(300))
        .put(FLAG, FlagValue.FALSE).put(TENANT, FLAG, FlagValue.TRUE);
    MemoryFlagCache memory = MemoryFlagCache.builder().build();
    try (RedisFlagCache redisTier = RedisFlagCache.builder().uri(redis.uri()).build();
        MongoFlagStore mongoStore = MongoFlagStore.builder().connectionString(mongo.connectionString()).build();
        FlagClient client = FlagClient.builder()
            .addCache(memory)
            .addCache(redisTier)
            .primary(flagsApi)
            .secondary(mongoStore)
            .build()) {
      waitFor(redisTier::isConnected);
      Table table = new Table(client);
      System.out.println();
      System.out.println("Redis at " + redis.uri() + " (" + redis.source() + "), MongoDB " + mongo.source()
          + ", primary: an in-process flags API that fails on cue");
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

      flagsApi.hang();
      for (int i = 1; i <= 4; i++) {
        table.row("primary times out (" + i + "/4): MongoDB", () -> flush(client, redis));
      }
      table.row("breaker open: primary skipped", () -> flush(client, redis));

      flagsApi.failTransiently();
      table.row("primary down: MongoDB", () -> flush(client, redis));

      mongo.stop();
      table.row("MongoDB down too: last known good", () -> flush(client, redis));
      try (FlagClient fresh = client.newBuilder().lastKnownGood(false).build()) {
        new Table(fresh).row("...nothing seen before: the default", () -> flush(fresh, redis));
      }
      System.out.println();
      System.out.println("Primary breaker: " + client.primaryBreakerState()
          + "; it lets one probe through after 15 s, then 30 s, 60 s, 60 s until the primary answers.");
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
      System.out.printf("%n%-40s %-6s %-22s %-10s %6s%n", "scenario", "value", "source", "layer", "ms");
      System.out.println("-".repeat(88));
    }

    void row(String scenario, Runnable before) {
      before.run();
      long start = System.nanoTime();
      FlagDetail detail = client.getFlagDetail(TENANT, FLAG, FlagValue.FALSE);
      double millis = (System.nanoTime() - start) / 1e6;
      String layer = detail.layer() == null ? "-" : detail.layer();
      String source = detail.isDefault() ? "DEFAULT (" + detail.errorKind() + ")" : detail.source().name();
      System.out.printf("%-40s %-6s %-22s %-10s %6.1f%n", scenario, detail.value().toJson(), source, layer, millis);
    }
  }
}
