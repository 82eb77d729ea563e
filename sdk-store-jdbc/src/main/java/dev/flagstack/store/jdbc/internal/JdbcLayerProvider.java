package dev.flagstack.store.jdbc.internal;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.store.jdbc.JdbcFlagStore;
import java.util.Optional;
import java.util.Set;

/**
 * Type {@code postgres}: a {@link JdbcFlagStore} configured under {@code flagstack.primary.postgres.} or
 * {@code flagstack.secondary.postgres.}, with a pool of its own built from the JDBC URL. The URL and the
 * password are secrets and are never shown in an error. A store over the application's own
 * {@code DataSource} is made in code, or by a provider passed to {@code FlagClientConfig.withProvider}.
 */
public final class JdbcLayerProvider implements LayerProvider {
  @Override
  public String type() {
    return "postgres";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.STORE);
  }

  @Override
  public FlagStore createStore(LayerConfig config) {
    JdbcFlagStore.Builder b = JdbcFlagStore.builder();
    config.apply("jdbc-url", (c, k) -> Optional.of(c.requireSecret(k)), b::jdbcUrl)
        .apply("username", LayerConfig::string, b::username)
        .apply("password", LayerConfig::secret, b::password)
        .apply("name", LayerConfig::string, b::name)
        .apply("table", LayerConfig::string, b::table)
        .apply("call-timeout", LayerConfig::duration, b::callTimeout)
        .apply("pool-wait-timeout", LayerConfig::duration, b::poolWaitTimeout)
        .apply("connect-timeout", LayerConfig::duration, b::connectTimeout)
        .apply("query-timeout", LayerConfig::duration, b::queryTimeout)
        .apply("read-timeout", LayerConfig::duration, b::readTimeout)
        .apply("executor-threads", LayerConfig::intValue, b::executorThreads)
        .apply("queue-capacity", LayerConfig::intValue, b::queueCapacity);
    return b.build();
  }
}
