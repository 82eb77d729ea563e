package dev.flagstack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagUnavailableException;
import dev.flagstack.FlagValue;
import dev.flagstack.LayerFailure;
import dev.flagstack.Rollout;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.examples.reference.ReferenceFlagService;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole stack over real sockets: memory and a real Redis as cache tiers, the reference flags service
 * as the primary (over the protocol a subclass picks), and a real MongoDB (through the real driver) as the
 * secondary and as the service's own source of definitions, walked through the seed design's disaster
 * table while the servers are killed, paused, slowed, stopped and restarted.
 */
abstract class WholeStackDisasterTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcess();

  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  /** The primary's call timeout in these tests: short, so the outage steps run quickly. */
  static final Duration CALL_TIMEOUT = Duration.ofMillis(400);
  /** The longest a read may take while layers fail: the primary's timeout plus the Redis budget and slack. */
  static final long READ_BUDGET_MILLIS = CALL_TIMEOUT.toMillis() + 100 + 900;

  private static final String TENANT = "tenant-42";
  private static final String FLAG = "new-checkout";

  static ReferenceFlagService service;
  private static MongoClient admin;
  private static MongoCollection<Document> definitions;

  private final MutableClock clock = new MutableClock();
  private MemoryFlagCache memory;
  private RedisFlagCache redisTier;
  private FlagStore primary;
  private MongoFlagStore secondary;
  private FlagClient client;

  /** The primary store under test, talking to {@link #service} with the given call timeout. */
  abstract FlagStore primaryStore(Duration callTimeout);

  /** The primary's name, as reads report it. */
  abstract String primaryName();

  @BeforeAll
  static void startService() throws Exception {
    admin = MongoClients.create(mongo.connectionString());
    service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
        .refreshInterval(Duration.ofHours(1)).build().start();
  }

  @AfterAll
  static void stopService() {
    service.close();
    admin.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    redis.restart();
    mongo.restart();
    service.delay(Duration.ZERO);
    service.start();
    // A previous test may have stopped MongoDB under the admin client's pooled sockets: start afresh.
    admin.close();
    admin = MongoClients.create(mongo.connectionString());
    definitions = admin.getDatabase("flagstack").getCollection("flags");
    definitions.deleteMany(new Document());
    definitions.insertOne(new Document("_id", FLAG).append("value", false)
        .append("overrides", List.of(new Document("entity", TENANT).append("value", true))));
    assertThat(service.refreshNow()).isTrue();
    memory = MemoryFlagCache.builder().clock(clock).build();
    redisTier = RedisFlagCache.builder().uri(redis.uri()).prefix("it-" + UUID.randomUUID()).build();
    primary = primaryStore(CALL_TIMEOUT);
    // Connect the store before the client counts its failures: a first connection on a loaded machine
    // may take longer than the short call timeout these tests use.
    eventually("the primary answers", () -> {
      try {
        return !primary.getFlags(TENANT, java.util.Set.of(FLAG)).toCompletableFuture().join().isEmpty();
      } catch (RuntimeException e) {
        return false;
      }
    });
    secondary = MongoFlagStore.builder().connectionString(mongo.connectionString()).build();
    client = FlagClient.builder()
        .addCache(memory)
        .addCache(redisTier)
        .primary(primary)
        .secondary(secondary)
        .clock(clock)
        // This table expects each layer to hold what the reads put there; change notices (the stores'
        // own reconnects report "everything changed") would empty the caches at moments the test does
        // not choose, and the injected clock stands still, so Redis would refuse every value after one.
        .watchChanges(false)
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
  }

  private FlagDetail read(String entity) {
    long start = System.nanoTime();
    FlagDetail detail = client.getFlagDetail(entity, FLAG, FlagValue.of("default"));
    assertThat(millisSince(start)).as("a read never waits longer than the budget").isLessThan(READ_BUDGET_MILLIS);
    return detail;
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

  /** Empties every cache synchronously: memory and the client's own, and Redis through the server. */
  private void dropCaches() {
    client.invalidateAll();
    redis.flushAll();
  }

  @Test
  void seedDisasterTableWithRealServersFailing() throws Exception {
    // Everything up: the primary answers and its value lands in memory and in Redis.
    assertThat(read(TENANT)).isEqualTo(FlagDetail.served(FlagValue.TRUE, FlagSource.PRIMARY, primaryName()));
    assertThat(read(TENANT).layer()).isEqualTo("memory");
    eventually("Redis holds the written-back value", () -> {
      memory.invalidateAll();
      return "redis".equals(read(TENANT).layer());
    });

    // Cache is down -> connect to the primary store; memory keeps serving what it has.
    redis.kill();
    assertThat(read(TENANT).layer()).isEqualTo("memory");
    memory.invalidateAll();
    assertThat(read(TENANT).source()).isEqualTo(FlagSource.PRIMARY);

    // Cache times out (a paused server) -> connect to the primary store.
    redis.restart();
    eventually("the Redis tier reconnects", redisTier::isConnected);
    clock.advance(Duration.ofSeconds(31)); // past the cache breaker's open period, should it have opened
    redis.pause();
    try {
      memory.invalidateAll();
      assertThat(read(TENANT).source()).isEqualTo(FlagSource.PRIMARY);
    } finally {
      redis.resume();
    }

    // Primary store times out (the service really slowed) -> after 4 failures the breaker opens;
    // MongoDB answers meanwhile, and no read waits longer than the budget.
    service.delay(CALL_TIMEOUT.multipliedBy(3));
    for (int i = 0; i < 4; i++) {
      dropCaches();
      assertThat(read(TENANT)).isEqualTo(FlagDetail.served(FlagValue.TRUE, FlagSource.SECONDARY, "mongo"));
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    dropCaches();
    long start = System.nanoTime();
    assertThat(read("tenant-7")).isEqualTo(FlagDetail.served(FlagValue.FALSE, FlagSource.SECONDARY, "mongo"));
    assertThat(millisSince(start)).as("open breaker: the primary is not waited for").isLessThan(CALL_TIMEOUT.toMillis());
    service.delay(Duration.ZERO);

    // Primary store is down (its sockets closed) -> the probe after the open period fails, MongoDB answers.
    service.stop();
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
            .extracting(LayerFailure::layer).containsExactly(primaryName(), "mongo"));

    // The primary restarts while MongoDB is still down: it serves its last good copy of the definitions,
    // and after the (now 30 s) open period one probe succeeds and reads return to the primary.
    service.start();
    clock.advance(Duration.ofSeconds(30).plusMillis(1));
    dropCaches();
    assertThat(read(TENANT)).isEqualTo(FlagDetail.served(FlagValue.TRUE, FlagSource.PRIMARY, primaryName()));
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    mongo.restart();
    eventually("Redis serves again", () -> {
      memory.invalidateAll();
      return "redis".equals(read(TENANT).layer());
    });
  }

  /**
   * The service (primary) and the Mongo store (secondary) read the same definitions and evaluate them with
   * the same function: for every entity the answer is the same, whichever layer gives it.
   */
  @Test
  void primaryAndSecondaryGiveTheSameAnswersForTheSameDefinitions() {
    definitions.insertOne(new Document("_id", "checkout-v2")
        .append("value", "control")
        .append("overrides", List.of(new Document("entity", "acme.corp").append("value", "pinned")))
        .append("rollout", new Document("percentage", 30).append("value", "treatment")));
    assertThat(service.refreshNow()).isTrue();
    FlagDefinition expected = FlagDefinition.builder().key("checkout-v2").defaultValue(FlagValue.of("control"))
        .override("acme.corp", FlagValue.of("pinned"))
        .rollout(Rollout.ofPercentage(30, FlagValue.of("treatment"))).build();
    // Generous timeouts: this test is about agreement, and a loaded machine may be slow to connect.
    try (FlagStore patientPrimary = primaryStore(Duration.ofSeconds(5));
        FlagClient fromPrimary = FlagClient.builder().primary(patientPrimary).build();
        FlagClient fromSecondary = FlagClient.builder().primary(secondary).build()) {
      int treated = 0;
      for (int i = 0; i < 300; i++) {
        String entity = i == 0 ? "acme.corp" : "tenant-" + i + (i % 7 == 0 ? " ü.$" : "");
        String a = fromPrimary.getString(entity, "checkout-v2", "error");
        String b = fromSecondary.getString(entity, "checkout-v2", "error");
        assertThat(b).as(entity).isEqualTo(a).isEqualTo(expected.evaluate(entity).stringValue());
        treated += a.equals("treatment") ? 1 : 0;
      }
      assertThat(fromPrimary.getString("acme.corp", "checkout-v2", "x")).isEqualTo("pinned");
      assertThat(treated).as("about 30%% of 299 entities").isBetween(60, 120);
    }
  }
}
