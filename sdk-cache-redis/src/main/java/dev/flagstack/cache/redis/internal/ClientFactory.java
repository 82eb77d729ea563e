package dev.flagstack.cache.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and builds the Lettuce client of a tier: the caller's own, or one made here with fail-fast
 * options. A client made here never queues: commands are rejected at once while disconnected
 * ({@code REJECT_COMMANDS}), time out after the tier's budget, and at most {@code requestQueueSize} wait
 * for replies. A command that timed out is complete, and Lettuce never writes a complete command, so a
 * write that missed its budget is dropped, never sent after a reconnect.
 */
public final class ClientFactory {
  private static final Logger log = LoggerFactory.getLogger(ClientFactory.class);

  private ClientFactory() {}

  /**
   * Throws IllegalStateException unless exactly one target is set and the options agree with it.
   *
   * @param cluster the {@code cluster(...)} setting, or null if unset
   */
  public static void checkTargets(List<RedisURI> uris, Boolean cluster, RedisClient suppliedClient,
      RedisClusterClient suppliedClusterClient) {
    boolean clustered = isClustered(cluster, suppliedClusterClient);
    if (uris == null && suppliedClient == null && suppliedClusterClient == null) {
      throw new IllegalStateException("set uri(...), uris(...) or client(...)");
    }
    if (suppliedClusterClient != null && uris != null) {
      throw new IllegalStateException("a supplied RedisClusterClient has its own URIs; do not also set uri "
          + Redaction.describe(uris));
    }
    if (suppliedClusterClient != null && Boolean.FALSE.equals(cluster)) {
      throw new IllegalStateException("cluster(false) conflicts with a supplied RedisClusterClient");
    }
    if (suppliedClient != null && clustered) {
      throw new IllegalStateException("cluster(true) needs a RedisClusterClient, not a RedisClient");
    }
    if (uris != null && uris.size() > 1 && !clustered) {
      throw new IllegalStateException("several uris need cluster(true); list Sentinels in one "
          + "redis-sentinel:// URI instead");
    }
    if (clustered && uris != null && uris.stream().anyMatch(u -> !u.getSentinels().isEmpty())) {
      throw new IllegalStateException("cluster(true) conflicts with a redis-sentinel:// URI");
    }
  }

  /** Whether the tier talks to a Redis Cluster. */
  public static boolean isClustered(Boolean cluster, RedisClusterClient suppliedClusterClient) {
    return Boolean.TRUE.equals(cluster) || suppliedClusterClient != null;
  }

  /** The backend for {@code s}: over the supplied client, or over a fail-fast client made here. */
  public static RedisBackend backend(TierSettings s) {
    List<RedisURI> targets = s.uris();
    if (targets != null && s.urisParsedHere()) {
      for (RedisURI u : targets) {
        // Bounds the connection handshake; a RedisURI the caller passed in keeps the caller's value.
        u.setTimeout(s.connectTimeout());
      }
    }
    if (s.suppliedClusterClient() != null) {
      warnIfQueuing(s.suppliedClusterClient().getOptions());
      return RedisBackend.cluster(s.suppliedClusterClient(), false, null, "supplied RedisClusterClient");
    }
    if (s.suppliedClient() != null) {
      warnIfQueuing(s.suppliedClient().getOptions());
      RedisURI target = targets == null ? null : targets.get(0);
      return RedisBackend.standalone(s.suppliedClient(), target, false, null,
          target == null ? "supplied RedisClient" : Redaction.describe(target));
    }
    ClientResources resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.equalJitter(Duration.ofMillis(10), s.maxReconnectDelay(), 20, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(s.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(s.timeBudget());
    String description = Redaction.describe(targets);
    if (s.clustered()) {
      RedisClusterClient client = RedisClusterClient.create(resources, targets);
      client.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .requestQueueSize(s.requestQueueSize())
          .timeoutOptions(timeouts)
          .socketOptions(socket)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enableAllAdaptiveRefreshTriggers()
              .enablePeriodicRefresh(Duration.ofSeconds(30))
              .build())
          .build());
      return RedisBackend.cluster(client, true, resources, "cluster " + description);
    }
    RedisClient client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(s.requestQueueSize())
        .timeoutOptions(timeouts)
        .socketOptions(socket)
        .build());
    return RedisBackend.standalone(client, targets.get(0), true, resources, description);
  }

  /** The options of a backend's client, for checks. */
  public static ClientOptions options(AbstractRedisClient client) {
    return client instanceof RedisClusterClient
        ? ((RedisClusterClient) client).getOptions() : ((RedisClient) client).getOptions();
  }

  /** Whether a client with these options times out every command by itself. */
  public static boolean timesOutCommands(ClientOptions options) {
    return options.getTimeoutOptions().isTimeoutCommands();
  }

  private static void warnIfQueuing(ClientOptions options) {
    if (options.getDisconnectedBehavior() != ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
        || !timesOutCommands(options)) {
      log.warn("the supplied Lettuce client queues commands while disconnected or has no command timeout; "
          + "the Redis tier still gives up after its time budget, but commands pile up in the client. "
          + "Set DisconnectedBehavior.REJECT_COMMANDS and TimeoutOptions.enabled(...)");
    }
  }
}
