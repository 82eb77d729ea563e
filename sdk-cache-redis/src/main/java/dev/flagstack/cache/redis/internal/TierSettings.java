package dev.flagstack.cache.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.List;

/**
 * A Redis tier's settings once the builder has validated them and filled in the defaults.
 *
 * @param invalidationRepeatDelay how long after an invalidation its deletes (and publish) are repeated
 * @param clockSkewAllowance how far apart the clocks of the processes sharing Redis may be
 * @param uris the targets, or null with a supplied client that has its own
 * @param urisParsedHere whether the builder parsed the URIs from text (then it may set their timeout)
 * @param suppliedClient the caller's standalone client, or null
 * @param suppliedClusterClient the caller's cluster client, or null
 */
public record TierSettings(
    String name,
    String prefix,
    Duration ttl,
    Duration timeBudget,
    Duration connectTimeout,
    Duration maxReconnectDelay,
    int requestQueueSize,
    String channel,
    Duration invalidationRepeatDelay,
    Duration clockSkewAllowance,
    List<RedisURI> uris,
    boolean urisParsedHere,
    boolean clustered,
    RedisClient suppliedClient,
    RedisClusterClient suppliedClusterClient) {

  /** Only the name: the URIs may carry credentials. */
  @Override
  public String toString() {
    return "TierSettings{name=" + name + '}';
  }
}
