package dev.flagstack.store.mongo;

import static dev.flagstack.store.mongo.MongoTestSupport.flag;
import static dev.flagstack.store.mongo.MongoTestSupport.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testservers.MongoServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Type {@code mongo} through the configuration, against a real MongoDB endpoint through the real driver. */
class MongoLayerProviderTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  @Test
  void aConfiguredMongoPrimaryReadsItsCollection() {
    String collection = MongoTestSupport.newCollectionName();
    try (MongoClient admin = MongoTestSupport.adminClient(mongo.connectionString())) {
      insert(admin, collection, flag("checkout", true));
    }
    try (ConfiguredFlagClient configured = FlagClientConfig.fromMap(Map.of(
        "flagstack.primary.type", "mongo",
        "flagstack.primary.mongo.connection-string", mongo.connectionString(),
        "flagstack.primary.mongo.collection", collection,
        "flagstack.primary.mongo.call-timeout", "3s",
        "flagstack.primary.mongo.read-preference", "secondary-preferred",
        "flagstack.primary.mongo.executor-threads", "2")).build()) {
      assertThat(configured.primary().callTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(configured.client().getFlagDetail("tenant", "checkout", FlagValue.FALSE))
          .satisfies(d -> assertThat(d.value()).isEqualTo(FlagValue.TRUE))
          .satisfies(d -> assertThat(d.source()).isEqualTo(FlagSource.PRIMARY));
    }
  }

  @Test
  void readPreferencesAreNamedInKebabOrCamelCase() {
    assertThat(MongoLayerProviderAccess.readPreference("primary-preferred")).isEqualTo(ReadPreference.primaryPreferred());
    assertThat(MongoLayerProviderAccess.readPreference("secondaryPreferred")).isEqualTo(ReadPreference.secondaryPreferred());
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "mongo",
        "flagstack.primary.mongo.connection-string", "mongodb://127.0.0.1:1",
        "flagstack.primary.mongo.read-preference", "fastest")).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.mongo.read-preference is invalid: read-preference must be one of");
  }

  @Test
  void aMissingOrMalformedConnectionStringNeverShowsThePassword() {
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "mongo")).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.mongo.connection-string is required");
    String password = "Mongo-Pa55-s3cret";
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "mongo",
        "flagstack.primary.mongo.connection-string", "mongodb://reader:" + password + "@db1:notaport/x")).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.mongo.connection-string is invalid")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(password))
        .hasNoCause();
  }
}
