package dev.flagstack.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole stack from flat settings alone: memory and a real Redis as caches, a user's own provider as
 * the primary (registered through META-INF/services), a real MongoDB (through the real driver) as the
 * secondary. Run here, with Spring Boot's managed driver versions on the class path.
 */
class ConfiguredStackTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  @Test
  void aClientBuiltFromSettingsReadsThroughEveryConfiguredLayer() {
    try (MongoClient admin = MongoClients.create(mongo.connectionString())) {
      admin.getDatabase("flagstack").getCollection("stack_flags")
          .insertOne(new Document("_id", "only-in-mongo").append("value", "from-mongo"));
    }
    Map<String, String> settings = Map.of(
        "flagstack.caches", "memory,redis",
        "flagstack.cache.memory.ttl", "1m",
        "flagstack.cache.redis.uri", redis.uri(),
        "flagstack.cache.redis.prefix", "stacktest",
        "flagstack.primary.type", "test-flags",
        "flagstack.primary.test-flags.values", "checkout=true",
        "flagstack.secondary.type", "mongo",
        "flagstack.secondary.mongo.connection-string", mongo.connectionString(),
        "flagstack.secondary.mongo.collection", "stack_flags");
    try (ConfiguredFlagClient configured = FlagClientConfig.fromMap(settings).build()) {
      FlagClient client = configured.client();
      assertThat(configured.caches()).extracting(c -> c.name()).containsExactly("memory", "redis");
      RedisFlagCache tier = (RedisFlagCache) configured.caches().get(1);
      await(tier::isConnected);

      assertThat(client.getFlagDetail("tenant-1", "checkout", FlagValue.FALSE).source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(client.getFlagDetail("tenant-1", "checkout", FlagValue.FALSE).source()).isEqualTo(FlagSource.CACHE);
      await(() -> redis.command("KEYS", "stacktest:*").toString().contains("checkout"));

      TestFlagsProvider.last().failTransiently();
      assertThat(client.getFlagDetail("tenant-1", "only-in-mongo", FlagValue.of("default")))
          .satisfies(d -> assertThat(d.source()).isEqualTo(FlagSource.SECONDARY))
          .satisfies(d -> assertThat(d.value()).isEqualTo(FlagValue.of("from-mongo")));
    }
    assertThat(TestFlagsProvider.last().isClosed()).isTrue();
  }

  static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 15 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
