package dev.flagstack.store.mongo;

import static dev.flagstack.store.mongo.MongoTestSupport.flag;
import static dev.flagstack.store.mongo.MongoTestSupport.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store in its seed role: the secondary behind a {@link FlagClient} whose primary is failing. */
class MongoSecondaryFlagClientTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private MongoClient admin;
  private String collection;
  private InMemoryFlagStore primary;
  private MongoFlagStore secondary;
  private FlagClient client;

  @BeforeEach
  void setUp() {
    admin = MongoClients.create(mongo.connectionString());
    collection = MongoTestSupport.newCollectionName();
    primary = new InMemoryFlagStore("api");
    secondary = MongoFlagStore.builder().connectionString(mongo.connectionString()).collection(collection).build();
    client = FlagClient.builder().primary(primary).secondary(secondary).lastKnownGood(false).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    secondary.close();
    primary.close();
    admin.close();
  }

  @Test
  void primaryFailingTransientlyIsAnsweredFromMongo() {
    insert(admin, collection, flag("new-checkout", false)
        .append("overrides", List.of(new Document("entity", "tenant-42").append("value", true))));
    primary.put("new-checkout", FlagValue.FALSE).failTransiently();

    FlagDetail detail = client.getFlagDetail("tenant-42", "new-checkout", FlagValue.FALSE);

    assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(detail.layer()).isEqualTo("mongo");
    assertThat(detail.value()).isEqualTo(FlagValue.TRUE);
    assertThat(primary.calls()).isEqualTo(1);
  }

  @Test
  void wrongShapeDocumentReachesTheCallerAsANonTransientError() {
    insert(admin, collection, flag("broken", true)
        .append("rollout", new Document("percentage", 250).append("value", false)));
    primary.failTransiently();

    assertThatThrownBy(() -> client.getFlag("tenant-42", "broken"))
        .isInstanceOfSatisfying(FlagException.class,
            e -> assertThat(e.errorKind()).isEqualTo(FlagErrorKind.REJECTED))
        .hasMessageContaining("flag 'broken' has an invalid definition")
        .hasMessageContaining("250");
    FlagDetail detail = client.getFlagDetail("tenant-42", "broken", FlagValue.TRUE);
    assertThat(detail.isDefault()).isTrue();
    assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.REJECTED);
  }

  @Test
  void mongoAsPrimaryAnswersAlikeForEveryEntity() {
    insert(admin, collection, flag("pct", "off")
        .append("rollout", new Document("percentage", 50).append("value", "on")));
    try (FlagClient direct = FlagClient.builder().primary(secondary).build()) {
      for (int i = 0; i < 50; i++) {
        String entity = "user-" + i;
        String expected = dev.flagstack.FlagDefinition.bucket("pct", entity) < 5000 ? "on" : "off";
        FlagDetail detail = direct.getFlagDetail(entity, "pct", FlagValue.of("default"));
        assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
        assertThat(detail.value()).as(entity).isEqualTo(FlagValue.of(expected));
      }
    }
  }
}
