package dev.flagstack.store.mongo;

import static dev.flagstack.store.mongo.MongoTestSupport.flag;
import static dev.flagstack.store.mongo.MongoTestSupport.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.mongo.MongoTestSupport.CommandCounter;
import dev.flagstack.testservers.MongoServerExtension;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link MongoFlagStore} as a {@link FlagDefinitionStore}: definitions through the real driver. */
class MongoFlagDefinitionsTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static MongoClient admin;
  private final CommandCounter commands = new CommandCounter();
  private String collection;
  private MongoFlagStore store;

  @BeforeAll
  static void connectAdmin() {
    admin = MongoClients.create(mongo.connectionString());
  }

  @AfterAll
  static void closeAdmin() {
    admin.close();
  }

  @BeforeEach
  void newCollectionAndStore() {
    collection = MongoTestSupport.newCollectionName();
    store = MongoFlagStore.builder()
        .connectionString(mongo.connectionString())
        .collection(collection)
        .clientSettings(s -> s.addCommandListener(commands))
        .build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static Map<String, FlagDefinition> definitions(CompletionStage<Map<String, FlagDefinition>> stage)
      throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void knownFlagsComeBackAsTheirDefinitionsInOneQueryAndUnknownOnesAreAbsent() throws Exception {
    insert(admin, collection,
        flag("banner", "blue").append("overrides", List.of(new Document("entity", "tenant-42").append("value", "red"))),
        flag("checkout", false).append("rollout", new Document("percentage", 12.5).append("value", true)),
        flag("limit", 3).append("type", "double"));
    commands.reset();

    Map<String, FlagDefinition> found = definitions(store.getDefinitions(Set.of("banner", "checkout", "limit", "nope")));

    assertThat(store).isInstanceOf(FlagDefinitionStore.class);
    assertThat(commands.count("find")).isEqualTo(1);
    assertThat(found).containsOnlyKeys("banner", "checkout", "limit");
    assertThat(found.get("banner")).isEqualTo(FlagDefinition.builder().key("banner")
        .defaultValue(FlagValue.of("blue")).override("tenant-42", FlagValue.of("red")).build());
    assertThat(found.get("checkout")).isEqualTo(FlagDefinition.builder().key("checkout")
        .defaultValue(FlagValue.FALSE).rollout(Rollout.ofPercentage(12.5, FlagValue.TRUE)).build());
    assertThat(found.get("limit").defaultValue()).isEqualTo(FlagValue.of(3.0));
    assertThatThrownBy(() -> found.put("x", found.get("banner"))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void getFlagsAnswersWhatTheDefinitionsEvaluateToForEveryEntityInOneQuery() throws Exception {
    insert(admin, collection,
        flag("checkout", false)
            .append("overrides", List.of(new Document("entity", "vip").append("value", true)))
            .append("rollout", new Document("percentage", 40).append("value", true)),
        flag("banner", "blue"));
    Map<String, FlagDefinition> defs = definitions(store.getDefinitions(Set.of("checkout", "banner")));
    for (int i = 0; i < 40; i++) {
      String entity = i == 0 ? "vip" : "tenant-" + i;
      commands.reset();
      Map<String, FlagValue> values = store.getFlags(entity, Set.of("checkout", "banner", "nope"))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(commands.count("find")).isEqualTo(1);
      assertThat(values).containsOnlyKeys("checkout", "banner");
      assertThat(values.get("checkout")).as(entity).isEqualTo(defs.get("checkout").evaluate(entity));
      assertThat(values.get("banner")).isEqualTo(FlagValue.of("blue"));
    }
    assertThat(defs.get("checkout").evaluate("vip")).isEqualTo(FlagValue.TRUE);
  }

  @Test
  void aDocumentOfTheWrongShapeFailsTheBatchWithARejectionNamingTheFlag() throws Exception {
    insert(admin, collection, flag("good", true), flag("bad", true).append("overrides", "not an array"));

    Throwable error = failureOf(store.getDefinitions(Set.of("good", "bad")));

    assertThat(error).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("flag 'bad' has an invalid definition: ")
        .hasMessageContaining("overrides must be an array");
    assertThat(StoreException.isTransient(error)).isFalse();
    assertThat(((StoreException) error).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    assertThat(definitions(store.getDefinitions(Set.of("good")))).containsOnlyKeys("good");
  }

  @Test
  void keysThatLookLikePathsOrOperatorsAreData() throws Exception {
    List<String> keys = List.of("a.b", "$where", "{\"$gt\": \"\"}", "ünï 🚀");
    for (String key : keys) {
      insert(admin, collection, flag(key, key.length()));
    }
    insert(admin, collection, flag("decoy", 0));

    Map<String, FlagDefinition> found = definitions(store.getDefinitions(new LinkedHashSet<>(keys)));

    assertThat(found).containsOnlyKeys(keys);
    for (String key : keys) {
      assertThat(found.get(key).defaultValue()).isEqualTo(FlagValue.of(key.length()));
    }
  }

  @Test
  void aClosedStoreFailsTransiently() throws Exception {
    store.close();
    Throwable error = failureOf(store.getDefinitions(Set.of("f")));
    assertThat(StoreException.isTransient(error)).isTrue();
    assertThat(error).hasMessageContaining("closed");
  }

  private static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the call to fail");
  }
}
