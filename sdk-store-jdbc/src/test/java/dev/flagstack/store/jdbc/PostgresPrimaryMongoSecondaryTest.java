package dev.flagstack.store.jdbc;

import static dev.flagstack.store.jdbc.PgFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.PostgresServerExtension;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole stack through a real {@link FlagClient}: PostgreSQL as the primary, MongoDB as the secondary,
 * the same definitions written to both as one admin tool would. They agree for every entity, and when
 * PostgreSQL stops, the breaker trips and MongoDB answers the same.
 */
class PostgresPrimaryMongoSecondaryTest {
  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static final int ENTITIES = 300;

  private final List<FlagDefinition> definitions = List.of(
      FlagDefinition.builder().key("new-checkout").defaultValue(FlagValue.FALSE)
          .override("entity-7", FlagValue.TRUE).override("entity-8", FlagValue.FALSE)
          .rollout(Rollout.ofPercentage(30, FlagValue.TRUE)).build(),
      FlagDefinition.builder().key("banner color").defaultValue(FlagValue.of("blue"))
          .override("entity-1", FlagValue.of("red")).rollout(Rollout.ofBasisPoints(1250, FlagValue.of("green"))).build(),
      FlagDefinition.builder().key("limits.max").defaultValue(FlagValue.of(10))
          .rollout(Rollout.ofPercentage(50, FlagValue.of(20))).build(),
      FlagDefinition.builder().key("ratio").defaultValue(FlagValue.of(0.5))
          .override("entity-2", FlagValue.of(0.75)).build(),
      FlagDefinition.builder().key("$config").defaultValue(FlagValue.fromJson("{\"tier\":\"free\",\"seats\":[1,2]}"))
          .rollout(Rollout.ofPercentage(99.99, FlagValue.fromJson("{\"tier\":\"pro\",\"seats\":[]}"))).build());

  private PgFixture fx;
  private MongoClient admin;
  private JdbcFlagStore primary;
  private MongoFlagStore secondary;
  private Set<String> keys;

  @BeforeEach
  void writeTheSameDefinitionsToBoth() throws Exception {
    fx = new PgFixture(pg);
    fx.createReaderRole();
    String table = fx.newFlagsTable();
    String collection = "flags_" + UUID.randomUUID().toString().substring(0, 8);
    admin = MongoClients.create(mongo.connectionString());
    List<Document> docs = new ArrayList<>();
    keys = new LinkedHashSet<>();
    for (FlagDefinition def : definitions) {
      fx.insert(table, def, null);
      docs.add(mongoDocument(def));
      keys.add(def.key());
    }
    admin.getDatabase(MongoFlagStore.Builder.DEFAULT_DATABASE).getCollection(collection).insertMany(docs);
    primary = fx.readyStore(table);
    secondary = MongoFlagStore.builder().connectionString(mongo.connectionString()).collection(collection).build();
  }

  @AfterEach
  void tearDown() {
    if (secondary != null) {
      secondary.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (!pg.isRunning()) {
      pg.restart();
    }
    fx.close();
  }

  /** The MongoDB store's document for {@code def}: the same model, with the rollout as a percentage. */
  private static Document mongoDocument(FlagDefinition def) {
    Document doc = new Document("_id", def.key()).append("value", plain(def.defaultValue()));
    if (!def.overrides().isEmpty()) {
      List<Document> overrides = new ArrayList<>();
      def.overrides().forEach((entity, value) -> overrides.add(new Document("entity", entity).append("value", plain(value))));
      doc.append("overrides", overrides);
    }
    if (def.rollout() != null) {
      doc.append("rollout", new Document("percentage", def.rollout().percentage())
          .append("value", plain(def.rollout().value())));
    }
    return doc;
  }

  private static Object plain(FlagValue v) {
    switch (v.type()) {
      case BOOLEAN:
        return v.booleanValue();
      case STRING:
        return v.stringValue();
      case LONG:
        return v.longValue();
      case DOUBLE:
        return v.doubleValue();
      default:
        return v.jsonValue();
    }
  }

  private Map<String, FlagValue> expected(String entity) {
    Map<String, FlagValue> values = new java.util.HashMap<>();
    for (FlagDefinition def : definitions) {
      values.put(def.key(), def.evaluate(entity));
    }
    return values;
  }

  @Test
  void bothStoresAgreeForThreeHundredEntities() throws Exception {
    for (int i = 0; i < ENTITIES; i++) {
      String entity = "entity-" + i;
      Map<String, FlagValue> fromPostgres = await(primary.getFlags(entity, keys));
      Map<String, FlagValue> fromMongo = await(secondary.getFlags(entity, keys));
      assertThat(fromPostgres).as(entity).isEqualTo(expected(entity)).isEqualTo(fromMongo);
    }
  }

  @Test
  void postgresStoppedMidRunTripsTheBreakerAndMongoAnswersTheSame() throws Exception {
    assumeTrue(pg.canStop(), "the server from the environment cannot be stopped");
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).lastKnownGood(false).build()) {
      int i = 0;
      for (; i < ENTITIES / 2; i++) {
        String entity = "entity-" + i;
        assertThat(client.getFlags(entity, keys)).as(entity).isEqualTo(expected(entity));
        FlagDetail detail = client.getFlagDetail(entity, "new-checkout", FlagValue.of("default"));
        assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
        assertThat(detail.layer()).isEqualTo(primary.name());
      }

      pg.stop();

      for (; i < ENTITIES; i++) {
        String entity = "entity-" + i;
        assertThat(client.getFlags(entity, keys)).as(entity).isEqualTo(expected(entity));
        FlagDetail detail = client.getFlagDetail(entity, "banner color", FlagValue.of("default"));
        assertThat(detail.source()).as(entity).isEqualTo(FlagSource.SECONDARY);
        assertThat(detail.layer()).isEqualTo("mongo");
        assertThat(detail.value()).isEqualTo(expected(entity).get("banner color"));
      }
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    } finally {
      pg.restart();
    }
  }
}
