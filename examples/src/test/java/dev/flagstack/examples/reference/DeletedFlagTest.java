package dev.flagstack.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A flag deleted at the source (its MongoDB document removed, the reference service refreshed) while the
 * client holds it in memory, in the secondary's definitions cache and in last-known-good: after an
 * invalidation no layer brings it back, whether the primary answers or is down.
 */
class DeletedFlagTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private ReferenceFlagService service;
  private MongoClient admin;
  private MongoCollection<Document> flags;
  private GrpcFlagStore primary;
  private MongoFlagStore secondary;
  private FlagClient client;

  @BeforeEach
  void setUp() throws Exception {
    admin = MongoClients.create(mongo.connectionString());
    flags = admin.getDatabase("flagstack").getCollection("flags");
    flags.deleteMany(new Document());
    flags.insertOne(new Document("_id", "gone").append("value", "old"));
    service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
        .refreshInterval(Duration.ofHours(1)).build().start();
    primary = GrpcFlagStore.builder().target(service.grpcTarget()).plaintext().callTimeout(Duration.ofSeconds(2))
        .build();
    secondary = MongoFlagStore.builder().connectionString(mongo.connectionString())
        .callTimeout(Duration.ofSeconds(5)).build();
    client = FlagClient.builder().addCache(MemoryFlagCache.builder().ttl(Duration.ofMinutes(10)).build())
        .primary(primary).secondary(secondary).secondaryCacheTtl(Duration.ofMinutes(5)).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    primary.close();
    secondary.close();
    service.close();
    admin.close();
  }

  @Test
  void aDeletedFlagIsNotServedAgainFromTheSecondarysCacheOrLastKnownGood() throws Exception {
    assertThat(client.getFlagDetail("e", "gone", FlagValue.of("default")).source()).isEqualTo(FlagSource.PRIMARY);
    service.stop();
    FlagDetail fromSecondary = client.getFlagDetail("e2", "gone", FlagValue.of("default"));
    assertThat(fromSecondary.source()).as("the definition is now in the secondary's cache")
        .isEqualTo(FlagSource.SECONDARY);
    assertThat(fromSecondary.value()).isEqualTo(FlagValue.of("old"));

    flags.deleteOne(new Document("_id", "gone"));
    service.start();
    assertThat(service.refreshNow()).isTrue();
    client.invalidate("e", "gone");
    client.invalidate("e2", "gone");

    FlagDetail fromPrimary = client.getFlagDetail("e", "gone", FlagValue.of("default"));
    assertThat(fromPrimary.value()).isEqualTo(FlagValue.of("default"));
    service.stop();
    for (String entity : new String[] {"e", "e2", "e3"}) {
      FlagDetail whileDown = client.getFlagDetail(entity, "gone", FlagValue.of("default"));
      assertThat(whileDown.value()).as(entity + " while the primary is down: " + whileDown)
          .isEqualTo(FlagValue.of("default"));
    }
  }

  @Test
  void aDeletedFlagIsNotServedAgainAfterInvalidateAll() throws Exception {
    assertThat(client.getString("e", "gone", "default")).isEqualTo("old");
    service.stop();
    assertThat(client.getFlagDetail("e2", "gone", FlagValue.of("default")).source()).isEqualTo(FlagSource.SECONDARY);
    flags.deleteOne(new Document("_id", "gone"));
    service.start();
    assertThat(service.refreshNow()).isTrue();

    client.invalidateAll();

    assertThat(client.getString("e", "gone", "default")).isEqualTo("default");
    service.stop();
    for (String entity : new String[] {"e", "e2", "e3"}) {
      FlagDetail whileDown = client.getFlagDetail(entity, "gone", FlagValue.of("default"));
      assertThat(whileDown.value()).as(entity + " while the primary is down: " + whileDown)
          .isEqualTo(FlagValue.of("default"));
    }
  }
}
