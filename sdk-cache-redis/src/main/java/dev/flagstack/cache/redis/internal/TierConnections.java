package dev.flagstack.cache.redis.internal;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tier's connections and their lifecycle: the data connection and, with a channel, the pub/sub
 * connection, both opened in the background on the tier's own connect thread; and the bounded shutdown.
 */
public final class TierConnections {
  private static final Logger log = LoggerFactory.getLogger(TierConnections.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final TierSettings settings;
  private final RedisBackend backend;
  private final TierCommands commands;
  private final ScheduledThreadPoolExecutor connectThread;
  private final BackgroundConnector<StatefulConnection<String, String>> data;
  private final BackgroundConnector<StatefulRedisPubSubConnection<String, String>> pubSub;
  private volatile boolean closed;

  /** Connections for the tier; {@code subscriber} is null without an invalidation channel. */
  public TierConnections(TierSettings s, RedisBackend backend, TierCommands commands,
      InvalidationSubscriber subscriber) {
    this.settings = s;
    this.backend = backend;
    this.commands = commands;
    this.connectThread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "flagstack-redis-connect-" + s.name());
      t.setDaemon(true);
      return t;
    });
    connectThread.setRemoveOnCancelPolicy(true);
    connectThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    String where = "Redis tier '" + s.name() + "' to " + backend.description();
    this.data = new BackgroundConnector<>(where, backend::connect, this::onDataConnected, connectThread,
        s.maxReconnectDelay());
    this.pubSub = subscriber == null ? null : new BackgroundConnector<>(
        "invalidation subscription of " + where, backend::connectPubSub, subscriber::onConnected, connectThread,
        s.maxReconnectDelay());
  }

  /** Starts connecting in the background. */
  public void start() {
    if (pubSub != null) {
      pubSub.start();
    }
    data.start();
  }

  /** Whether the data connection is open and connected right now. */
  public boolean isConnected() {
    StatefulConnection<String, String> c = data.get();
    return c != null && c.isOpen();
  }

  /** Stops connecting, closes the connections and shuts the client down if the tier made it; bounded. */
  public void close() {
    closed = true;
    connectThread.shutdown();
    if (pubSub != null) {
      pubSub.close();
    }
    data.close();
    try {
      backend.shutdown(SHUTDOWN_TIMEOUT);
    } catch (RuntimeException e) {
      log.debug("Redis tier '{}': shutting down the client failed: {}", settings.name(), Redaction.describe(e));
    }
  }

  private void onDataConnected(StatefulConnection<String, String> c) {
    c.setTimeout(settings.timeBudget());
    c.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        log.info("Redis tier '{}' reconnected to {}", settings.name(), backend.description());
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (!closed) {
          log.info("Redis tier '{}' lost its connection to {}; lookups miss until it reconnects",
              settings.name(), backend.description());
        }
      }
    });
    commands.connected(c);
  }
}
