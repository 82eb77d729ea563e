package dev.flagstack.cache.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the tier needs from Lettuce, for a single server or Sentinel ({@link RedisClient}) and for a cluster
 * ({@link RedisClusterClient}) alike. {@link #connect()} and {@link #connectPubSub()} block for at most the
 * connect timeout and are only called on the tier's own connect thread, never on an event loop.
 */
public abstract class RedisBackend {
  private static final Logger log = LoggerFactory.getLogger(RedisBackend.class);

  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private final ClientResources ownedResources;
  private final String description;

  private RedisBackend(AbstractRedisClient client, boolean ownsClient, ClientResources ownedResources,
      String description) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.ownedResources = ownedResources;
    this.description = description;
  }

  /** A backend over a single server or a Sentinel-managed master; {@code uri} null means the client's own. */
  public static RedisBackend standalone(RedisClient client, RedisURI uri, boolean ownsClient,
      ClientResources ownedResources, String description) {
    return new RedisBackend(client, ownsClient, ownedResources, description) {
      @Override
      public StatefulConnection<String, String> connect() {
        StatefulRedisConnection<String, String> c = uri == null
            ? client.connect(StringCodec.UTF8) : client.connect(StringCodec.UTF8, uri);
        return c;
      }

      @Override
      @SuppressWarnings("unchecked")
      public RedisClusterAsyncCommands<String, String> commands(StatefulConnection<String, String> c) {
        return ((StatefulRedisConnection<String, String>) c).async();
      }

      @Override
      public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return uri == null ? client.connectPubSub(StringCodec.UTF8) : client.connectPubSub(StringCodec.UTF8, uri);
      }
    };
  }

  /** A backend over a Redis Cluster. */
  public static RedisBackend cluster(RedisClusterClient client, boolean ownsClient, ClientResources ownedResources,
      String description) {
    return new RedisBackend(client, ownsClient, ownedResources, description) {
      @Override
      public StatefulConnection<String, String> connect() {
        StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
        warmNodeConnections(c);
        return c;
      }

      @Override
      @SuppressWarnings("unchecked")
      public RedisClusterAsyncCommands<String, String> commands(StatefulConnection<String, String> c) {
        return ((StatefulRedisClusterConnection<String, String>) c).async();
      }

      @Override
      public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return client.connectPubSub(StringCodec.UTF8);
      }
    };
  }

  /**
   * Lettuce opens a cluster node's connection on the first command routed to it, and that handshake
   * would have to fit in the tier's 100 ms command budget. Open them here, on the connect thread, with
   * a bounded wait; a node that does not answer in time is simply left to connect lazily.
   */
  private static void warmNodeConnections(StatefulRedisClusterConnection<String, String> c) {
    java.util.List<java.util.concurrent.CompletableFuture<?>> pending = new java.util.ArrayList<>();
    for (io.lettuce.core.cluster.models.partitions.RedisClusterNode node : c.getPartitions()) {
      if (node.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM)) {
        pending.add(c.getConnectionAsync(node.getNodeId()).toCompletableFuture());
      }
    }
    try {
      java.util.concurrent.CompletableFuture.allOf(pending.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
          .get(WARM_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("not every cluster node connection opened ahead of use: {}", Redaction.describe(e));
    }
  }

  private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(1);

  /** Opens a data connection; throws if Redis cannot be reached within the connect timeout. */
  public abstract StatefulConnection<String, String> connect();

  /** The async commands of a connection from {@link #connect()} (cluster-aware for a cluster). */
  public abstract RedisClusterAsyncCommands<String, String> commands(StatefulConnection<String, String> c);

  /** Opens a pub/sub connection; throws if Redis cannot be reached. */
  public abstract StatefulRedisPubSubConnection<String, String> connectPubSub();

  /** Where this backend points, without credentials. */
  public String description() {
    return description;
  }

  /** Whether the Lettuce client is the tier's own. */
  public boolean ownsClient() {
    return ownsClient;
  }

  /** The Lettuce client. */
  public AbstractRedisClient client() {
    return client;
  }

  /** Shuts down the client and resources if the tier created them; a supplied client stays open. */
  public void shutdown(Duration timeout) {
    // Lettuce's blocking shutdown() first waits, without a bound, for every connection to close; a
    // cluster connection can wait forever on a node connection. Bound every wait: close never hangs.
    if (ownsClient) {
      await("the Lettuce client", client.shutdownAsync(0, timeout.toMillis(), TimeUnit.MILLISECONDS), timeout);
    }
    if (ownedResources != null) {
      await("the Lettuce resources",
          ownedResources.shutdown(0, timeout.toMillis(), TimeUnit.MILLISECONDS), timeout);
    }
  }

  private static void await(String what, java.util.concurrent.Future<?> done, Duration timeout) {
    try {
      done.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("shutting down {} did not finish within {} ms; abandoning it", what, timeout.toMillis() + 500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.debug("shutting down {} failed: {}", what, Redaction.describe(e));
    }
  }
}
