package dev.flagstack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagDefinition;
import dev.flagstack.Rollout;
import dev.flagstack.Stores;
import dev.flagstack.spi.FlagStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagUnavailableException;
import dev.flagstack.FlagValue;
import dev.flagstack.LayerFailure;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole stack: memory and a real Redis as cache tiers, an in-memory primary that fails on cue, and
 * a real MongoDB (through the real driver) as the secondary, walked through the seed design's disaster
 * table while the servers are killed, paused and stopped.
 */
class WholeStackDisasterTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcess();

  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static final String TENANT = "tenant-42";
  private static final String FLAG = "new-checkout";

  private final MutableClock clock = new MutableClock();
  private MongoClient admin;
  private InMemoryFlagStore primary;
  private MemoryFlagCache memory;
  private RedisFlagCache redisTier;
  private MongoFlagStore secondary;
  private FlagClient client;

  @BeforeEach
  void setUp() {
    redis.restart();
    mongo.restart();
    String collection = "flags_" + UUID.randomUUID().toString().replace("-", "");
    admin = MongoClients.create(mongo.connectionString());
    admin.getDatabase("flagstack").getCollection(collection).insertOne(new Document("_id", FLAG)
        .append("value", false)
        .append("overrides", List.of(new Document("entity", TENANT).append("value", true))));
    primary = new InMemoryFlagStore("flags-api", Duration.ofMillis(300))
        .put(FLAG, FlagValue.FALSE).put(TENANT, FLAG, FlagValue.TRUE);
    memory = MemoryFlagCache.builder().clock(clock).build();
    redisTier = RedisFlagCache.builder().uri(redis.uri()).prefix("it-" + UUID.randomUUID()).build();
    secondary = MongoFlagStore.builder().connectionString(mongo.connectionString()).collection(collection).build();
    client = FlagClient.builder()
        .addCache(memory)
        .addCache(redisTier)
        .primary(primary)
        .secondary(secondary)
        .clock(clock)
        .build();
    // The tier connects in the background; until it has, it is a miss that counts against its breaker,
    // whose open period runs on the injected clock this test controls.
    eventually("the Redis tier connects", redisTier::isConnected);
  }

  @AfterEach
  void tearDown() {
    client.close();
    redisTier.close();
    secondary.close();
    primary.close();
    admin.close();
  }

  private FlagDetail read(String entity) {
    return client.getFlagDetail(entity, FLAG, FlagValue.of("default"));
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /**
   * Empties every cache synchronously: memory, Redis (through the server, since the tier's own
   * invalidateAll is asynchronous) and the client's short-lived secondary cache.
   */
  private void dropCaches() {
    client.invalidateAll();
    redis.flushAll();
  }

  @Test
  void seedDisasterTableWithRealServersFailing() {
    // Everything up: the primary answers and its value lands in memory and in Redis.
    assertThat(read(TENANT)).isEqualTo(FlagDetail.served(FlagValue.TRUE, FlagSource.PRIMARY, "flags-api"));
    assertThat(read(TENANT).layer()).isEqualTo("memory");
    eventually("Redis holds the written-back value", () -> {
      memory.invalidateAll();
      return "redis".equals(read(TENANT).layer());
    });
    assertThat(primary.calls()).isEqualTo(1);

    // Cache is down -> connect to the primary store; memory keeps serving what it has.
    redis.kill();
    assertThat(read(TENANT).layer()).isEqualTo("memory");
    memory.invalidateAll();
    long start = System.nanoTime();
    assertThat(read(TENANT).source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(millisSince(start)).as("a dead Redis is a fast miss").isLessThan(1_000);

    // Cache times out (a paused server) -> connect to the primary store.
    redis.restart();
    eventually("the Redis tier reconnects", redisTier::isConnected);
    clock.advance(Duration.ofSeconds(31)); // past the cache breaker's open period, should it have opened
    redis.pause();
    try {
      memory.invalidateAll();
      start = System.nanoTime();
      assertThat(read(TENANT).source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(millisSince(start)).as("a paused Redis is a miss within its budget").isLessThan(1_000);
    } finally {
      redis.resume();
    }

    // Primary store times out -> after 4 attempts the circuit opens; MongoDB answers meanwhile.
    primary.hang();
    for (int i = 0; i < 4; i++) {
      dropCaches();
      assertThat(read(TENANT)).isEqualTo(FlagDetail.served(FlagValue.TRUE, FlagSource.SECONDARY, "mongo"));
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    int primaryCalls = primary.calls();
    dropCaches();
    assertThat(read("tenant-7")).isEqualTo(FlagDetail.served(FlagValue.FALSE, FlagSource.SECONDARY, "mongo"));
    assertThat(primary.calls()).as("open breaker: primary not called").isEqualTo(primaryCalls);

    // Primary store is down -> the probe after the open period fails, MongoDB answers.
    primary.failTransiently();
    clock.advance(Duration.ofSeconds(15).plusMillis(1));
    dropCaches();
    assertThat(read(TENANT).source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);

    // Secondary store is down too -> the last value seen, then for an unseen entity, the default.
    mongo.stop();
    dropCaches();
    FlagDetail stale = read(TENANT);
    assertThat(stale.source()).isEqualTo(FlagSource.STALE);
    assertThat(stale.value()).isEqualTo(FlagValue.TRUE);
    assertThat(client.getBoolean("tenant-never-seen", FLAG, true)).isTrue();
    assertThat(read("tenant-never-seen").errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    assertThatThrownBy(() -> client.getFlag("tenant-never-seen", FLAG))
        .isInstanceOf(FlagUnavailableException.class)
        .satisfies(e -> assertThat(((FlagUnavailableException) e).failures())
            .extracting(LayerFailure::layer).containsExactly("flags-api", "mongo"));

    // Everything back: the breaker's probe succeeds after its (now 30 s) open period and the stack heals.
    mongo.restart();
    primary.answer();
    clock.advance(Duration.ofSeconds(30).plusMillis(1));
    dropCaches();
    assertThat(read(TENANT).source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    eventually("Redis serves again", () -> {
      memory.invalidateAll();
      return "redis".equals(read(TENANT).layer());
    });
  }

  /**
   * A primary that evaluates definitions with sdk-core's function, as a flags server would, against a
   * Mongo secondary holding the same definitions: for every entity both give the same answer.
   */
  @Test
  void primaryAndSecondaryGiveTheSameAnswersForTheSameDefinitions() {
    String collection = "defs_" + UUID.randomUUID().toString().replace("-", "");
    FlagDefinition definition = FlagDefinition.builder()
        .key("checkout-v2")
        .defaultValue(FlagValue.of("control"))
        .override("acme.corp", FlagValue.of("pinned"))
        .rollout(Rollout.ofPercentage(30, FlagValue.of("treatment")))
        .build();
    admin.getDatabase("flagstack").getCollection(collection).insertOne(new Document("_id", "checkout-v2")
        .append("value", "control")
        .append("overrides", List.of(new Document("entity", "acme.corp").append("value", "pinned")))
        .append("rollout", new Document("percentage", 30).append("value", "treatment")));
    FlagStore evaluatingPrimary = Stores.answering("flags-api", (entity, flags) -> {
      Map<String, FlagValue> values = new HashMap<>();
      if (flags.contains(definition.key())) {
        values.put(definition.key(), definition.evaluate(entity));
      }
      return CompletableFuture.completedFuture(values);
    });
    try (MongoFlagStore mongoStore = MongoFlagStore.builder().connectionString(mongo.connectionString())
            .collection(collection).build();
        FlagClient fromPrimary = FlagClient.builder().primary(evaluatingPrimary).build();
        FlagClient fromSecondary = FlagClient.builder().primary(mongoStore).build()) {
      int treated = 0;
      for (int i = 0; i < 300; i++) {
        String entity = i == 0 ? "acme.corp" : "tenant-" + i + (i % 7 == 0 ? " ü.$" : "");
        String a = fromPrimary.getString(entity, "checkout-v2", "error");
        String b = fromSecondary.getString(entity, "checkout-v2", "error");
        assertThat(b).as(entity).isEqualTo(a).isNotEqualTo("error");
        treated += a.equals("treatment") ? 1 : 0;
      }
      assertThat(fromPrimary.getString("acme.corp", "checkout-v2", "x")).isEqualTo("pinned");
      assertThat(treated).as("about 30%% of 299 entities").isBetween(60, 120);
    }
  }
}
