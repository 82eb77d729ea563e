package dev.flagstack.cache.redis.internal;

import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import java.util.List;
import java.util.Set;

/**
 * Type {@code redis}: a {@link RedisFlagCache} configured under {@code flagstack.cache.redis.}. The URIs are
 * secrets (they may carry a password) and are never shown in an error.
 */
public final class RedisLayerProvider implements LayerProvider {
  @Override
  public String type() {
    return "redis";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.CACHE);
  }

  @Override
  public FlagCache createCache(LayerConfig config) {
    RedisFlagCache.Builder b = RedisFlagCache.builder();
    if (!config.has("uri") && !config.has("uris")) {
      throw config.invalid("uri", "is required (or uris, with cluster=true, for a Redis Cluster)");
    }
    config.apply("uri", LayerConfig::secret, b::uri)
        .apply("uris", (c, k) -> nonEmpty(c.list(k)), uris -> b.uris(uris.toArray(String[]::new)))
        .apply("cluster", LayerConfig::booleanValue, b::cluster)
        .apply("name", LayerConfig::string, b::name)
        .apply("prefix", LayerConfig::string, b::prefix)
        .apply("ttl", LayerConfig::duration, b::ttl)
        .apply("time-budget", LayerConfig::duration, b::timeBudget)
        .apply("connect-timeout", LayerConfig::duration, b::connectTimeout)
        .apply("max-reconnect-delay", LayerConfig::duration, b::maxReconnectDelay)
        .apply("request-queue-size", LayerConfig::intValue, b::requestQueueSize)
        .apply("invalidation-channel", LayerConfig::string, b::invalidationChannel)
        .apply("invalidation-repeat-delay", LayerConfig::duration, b::invalidationRepeatDelay)
        .apply("clock-skew-allowance", LayerConfig::duration, b::clockSkewAllowance);
    return b.build();
  }

  private static java.util.Optional<List<String>> nonEmpty(List<String> list) {
    return list.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(list);
  }
}
