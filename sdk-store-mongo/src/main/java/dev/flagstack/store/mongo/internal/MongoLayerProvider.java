package dev.flagstack.store.mongo.internal;

import com.mongodb.ReadPreference;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.store.mongo.MongoFlagStore;
import java.util.Locale;
import java.util.Set;

/**
 * Type {@code mongo}: a {@link MongoFlagStore} configured under {@code flagstack.primary.mongo.} or
 * {@code flagstack.secondary.mongo.}. The connection string is a secret and is never shown in an error.
 */
public final class MongoLayerProvider implements LayerProvider {
  @Override
  public String type() {
    return "mongo";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.STORE);
  }

  @Override
  public FlagStore createStore(LayerConfig config) {
    MongoFlagStore.Builder b = MongoFlagStore.builder();
    config.apply("connection-string", (c, k) -> java.util.Optional.of(c.requireSecret(k)), b::connectionString)
        .apply("name", LayerConfig::string, b::name)
        .apply("database", LayerConfig::string, b::database)
        .apply("collection", LayerConfig::string, b::collection)
        .apply("call-timeout", LayerConfig::duration, b::callTimeout)
        .apply("server-selection-timeout", LayerConfig::duration, b::serverSelectionTimeout)
        .apply("connect-timeout", LayerConfig::duration, b::connectTimeout)
        .apply("read-timeout", LayerConfig::duration, b::readTimeout)
        .apply("pool-wait-timeout", LayerConfig::duration, b::poolWaitTimeout)
        .apply("read-preference", LayerConfig::string, s -> b.readPreference(readPreference(s)))
        .apply("executor-threads", LayerConfig::intValue, b::executorThreads)
        .apply("queue-capacity", LayerConfig::intValue, b::queueCapacity);
    return b.build();
  }

  /** {@code primary}, {@code primary-preferred}, {@code secondary}, {@code secondary-preferred} or {@code nearest}. */
  public static ReadPreference readPreference(String name) {
    String n = name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    switch (n) {
      case "primary":
        return ReadPreference.primary();
      case "primarypreferred":
        return ReadPreference.primaryPreferred();
      case "secondary":
        return ReadPreference.secondary();
      case "secondarypreferred":
        return ReadPreference.secondaryPreferred();
      case "nearest":
        return ReadPreference.nearest();
      default:
        throw new IllegalArgumentException("read-preference must be one of primary, primary-preferred, secondary, "
            + "secondary-preferred, nearest; was '" + name + "'");
    }
  }
}
