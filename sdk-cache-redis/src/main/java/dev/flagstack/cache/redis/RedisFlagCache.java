package dev.flagstack.cache.redis;

import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.internal.BackgroundConnector;
import dev.flagstack.cache.redis.internal.InvalidationMessage;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.cache.redis.internal.Redaction;
import dev.flagstack.cache.redis.internal.RedisBackend;
import dev.flagstack.cache.redis.internal.ValueCodec;
import dev.flagstack.spi.CacheInvalidator;
import dev.flagstack.spi.FlagCache;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared, remote cache tier over Redis (Lettuce, async API only). Add it below an in-process tier:
 *
 * <pre>{@code
 * RedisFlagCache redis = RedisFlagCache.builder()
 *     .uri("redis://cache.internal:6379")
 *     .invalidationChannel("flagstack:invalidations")
 *     .build();
 * FlagClient client = FlagClient.builder()
 *     .addCache(MemoryFlagCache.builder().build())
 *     .addCache(redis)
 *     .primary(store)
 *     .build();
 * }</pre>
 *
 * <h2>Failing fast</h2>
 * A slow or absent Redis is a miss, never a wait: commands time out after {@link #timeBudget()} (default
 * 100 ms), are rejected at once while disconnected instead of queued, and at most
 * {@link Builder#DEFAULT_REQUEST_QUEUE_SIZE} commands wait for replies. If Redis is down when
 * {@link Builder#build()} runs, the tier connects in the background with capped exponential backoff and
 * every lookup fails at once meanwhile; once connected, Lettuce reconnects by itself.
 *
 * <h2>Keys and values</h2>
 * A key is {@code <prefix>:{<n>:<entity>}:<m>:<flag>}, where {@code n} and {@code m} are the ids' lengths
 * in UTF-16 chars, so no two (entity, flag) pairs share a key; an entity segment over 200 UTF-8 bytes or a
 * flag segment over 240 bytes is replaced by {@code #<sha-256 hex>}, which keeps every key under 512 bytes.
 * The braces are a Redis Cluster hash tag: one entity's flags share a slot, so a batch is one MGET. A value
 * is {@code 1|<tag>|<json>} with tag {@code B}, {@code S}, {@code L}, {@code D} or {@code J} and the JSON of
 * {@link FlagValue#toJson()}; a value that does not decode to its tagged type is a miss (logged at debug).
 * Every entry expires after {@link Builder#ttl(Duration)} (default {@link Builder#DEFAULT_TTL}).
 *
 * <h2>Invalidation</h2>
 * With {@link Builder#invalidationChannel(String)}, the tier subscribes to that channel and evicts what a
 * message names from the tiers above it (the in-process caches of this client): {@code 1|*} drops everything,
 * {@code 1|F|<n>:<entity><flag>} drops one flag ({@code n} being the entity's length in UTF-16 chars). Other
 * messages are ignored (logged at debug). Each time the subscription is (re)established, the tiers above are
 * flushed, since messages published meanwhile are lost. {@link #publishInvalidation} and
 * {@link #publishInvalidateAll()} delete from Redis, then publish, for the writer of a flag change.
 *
 * <h2>Threads and lifecycle</h2>
 * Thread-safe. Futures complete on Lettuce's I/O threads. {@link #close()} is idempotent and closes the
 * Lettuce client and resources only if the tier created them. Credentials never appear in logs,
 * exceptions or {@link #toString()}.
 */
public final class RedisFlagCache implements FlagCache {
  private static final Logger log = LoggerFactory.getLogger(RedisFlagCache.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final String name;
  private final Duration timeBudget;
  private final long ttlMillis;
  private final String prefix;
  private final String channel;
  private final KeyCodec keys;
  private final RedisBackend backend;
  private final ScheduledThreadPoolExecutor connectThread;
  private final BackgroundConnector<StatefulConnection<String, String>> data;
  private final BackgroundConnector<StatefulRedisPubSubConnection<String, String>> pubSub;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile CacheInvalidator tiersAbove;

  private RedisFlagCache(Builder b, RedisBackend backend) {
    this.name = b.name;
    this.timeBudget = b.timeBudget;
    this.ttlMillis = b.ttl.toMillis();
    this.prefix = b.prefix;
    this.channel = b.channel;
    this.keys = new KeyCodec(b.prefix);
    this.backend = backend;
    this.connectThread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "flagstack-redis-connect-" + b.name);
      t.setDaemon(true);
      return t;
    });
    connectThread.setRemoveOnCancelPolicy(true);
    connectThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    String where = "Redis tier '" + name + "' to " + backend.description();
    this.data = new BackgroundConnector<>(where, backend::connect, this::onDataConnected, connectThread,
        b.maxReconnectDelay);
    this.pubSub = channel == null ? null : new BackgroundConnector<>(
        "invalidation subscription of " + where, backend::connectPubSub, this::onPubSubConnected, connectThread,
        b.maxReconnectDelay);
  }

  /** A builder with every default; set {@link Builder#uri(String)} or {@link Builder#client}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The lookup budget, which is also every command's timeout; default {@link FlagCache#DEFAULT_TIME_BUDGET}. */
  @Override
  public Duration timeBudget() {
    return timeBudget;
  }

  /** Whether the data connection is open and connected right now; for health checks. */
  public boolean isConnected() {
    StatefulConnection<String, String> c = data.get();
    return c != null && c.isOpen();
  }

  /** One MGET for the whole batch; a malformed stored value is absent from the result. */
  @Override
  public CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed.get()) {
      return CompletableFuture.failedFuture(notConnected());
    }
    List<String> names = new ArrayList<>(flags.size());
    List<String> redisKeys = new ArrayList<>(flags.size());
    for (String flag : flags) {
      String key = keys.key(entity, flag);
      if (key != null) {
        names.add(flag);
        redisKeys.add(key);
      }
    }
    if (redisKeys.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return cmd.mget(redisKeys.toArray(new String[0])).thenApply(found -> {
      Map<String, FlagValue> values = new HashMap<>();
      for (int i = 0; i < found.size() && i < names.size(); i++) {
        KeyValue<String, String> kv = found.get(i);
        if (kv.hasValue()) {
          FlagValue value = ValueCodec.decode(kv.getValue());
          if (value != null) {
            values.put(names.get(i), value);
          } else if (log.isDebugEnabled()) {
            log.debug("Redis tier '{}': ignoring a malformed value at key {}", name, kv.getKey());
          }
        }
      }
      return values;
    });
  }

  /** SET PX for each value, written together with one flush (pipelined). */
  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values) {
    StatefulConnection<String, String> c = data.get();
    if (c == null || closed.get()) {
      return CompletableFuture.failedFuture(notConnected());
    }
    List<RedisCommand<String, String, ?>> batch = new ArrayList<>(values.size());
    List<CompletableFuture<?>> replies = new ArrayList<>(values.size());
    SetArgs px = SetArgs.Builder.px(ttlMillis);
    for (Map.Entry<String, FlagValue> e : values.entrySet()) {
      String key = keys.key(entity, e.getKey());
      if (key == null) {
        continue;
      }
      CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8)
          .addKey(key).addValue(ValueCodec.encode(e.getValue()));
      px.build(args);
      AsyncCommand<String, String, String> set = new AsyncCommand<>(
          new Command<>(CommandType.SET, new StatusOutput<>(StringCodec.UTF8), args));
      batch.add(set);
      replies.add(set);
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    c.dispatch(batch);
    return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]));
  }

  /** Deletes the entry from Redis (UNLINK, asynchronously; a failure is logged at debug). */
  @Override
  public void invalidate(String entity, String flag) {
    deleteKey(entity, flag).whenComplete((n, e) -> {
      if (e != null) {
        log.debug("Redis tier '{}' could not delete {}/{}: {}", name, entity, flag, Redaction.describe(e));
      }
    });
  }

  /**
   * Deletes every key under this tier's prefix, asynchronously, with SCAN and UNLINK: keys of other
   * prefixes are left alone. A failure is logged at debug.
   */
  @Override
  public void invalidateAll() {
    deleteAllKeys().whenComplete((n, e) -> {
      if (e != null) {
        log.debug("Redis tier '{}' could not delete its keys: {}", name, Redaction.describe(e));
      } else {
        log.debug("Redis tier '{}' deleted {} keys under prefix {}", name, n, prefix);
      }
    });
  }

  /**
   * Deletes the entry from Redis, then publishes a message that makes every subscribed tier (this one
   * included) evict it from the in-process tiers above it.
   *
   * @throws IllegalStateException if no {@link Builder#invalidationChannel(String)} was set
   */
  public CompletionStage<Void> publishInvalidation(String entity, String flag) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(flag, "flag");
    String ch = requireChannel();
    return deleteKey(entity, flag)
        .thenCompose(n -> publish(ch, InvalidationMessage.one(entity, flag)));
  }

  /**
   * Deletes every key under this tier's prefix, then publishes a message that makes every subscribed tier
   * flush the tiers above it.
   *
   * @throws IllegalStateException if no {@link Builder#invalidationChannel(String)} was set
   */
  public CompletionStage<Void> publishInvalidateAll() {
    String ch = requireChannel();
    return deleteAllKeys().thenCompose(n -> publish(ch, InvalidationMessage.ALL));
  }

  @Override
  public void bind(CacheInvalidator tiersAbove) {
    this.tiersAbove = Objects.requireNonNull(tiersAbove, "tiersAbove");
  }

  /** Stops connecting, closes this tier's connections, and shuts down the Lettuce client only if it made it. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    commands = null;
    connectThread.shutdown();
    if (pubSub != null) {
      pubSub.close();
    }
    data.close();
    try {
      backend.shutdown(SHUTDOWN_TIMEOUT);
    } catch (RuntimeException e) {
      log.debug("Redis tier '{}': shutting down the client failed: {}", name, Redaction.describe(e));
    }
  }

  @Override
  public String toString() {
    return "RedisFlagCache{name=" + name + ", redis=" + backend.description() + ", prefix=" + prefix
        + ", ttl=" + Duration.ofMillis(ttlMillis) + ", timeBudget=" + timeBudget
        + (channel == null ? "" : ", channel=" + channel) + ", connected=" + isConnected()
        + (closed.get() ? ", closed" : "") + '}';
  }

  // ---------------------------------------------------------------------------------------------

  private void start() {
    if (channel != null) {
      pubSub.start();
    }
    data.start();
  }

  private void onDataConnected(StatefulConnection<String, String> c) {
    c.setTimeout(timeBudget);
    c.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        log.info("Redis tier '{}' reconnected to {}", name, backend.description());
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (!closed.get()) {
          log.info("Redis tier '{}' lost its connection to {}; lookups miss until it reconnects", name,
              backend.description());
        }
      }
    });
    commands = backend.commands(c);
  }

  private void onPubSubConnected(StatefulRedisPubSubConnection<String, String> c) {
    c.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void subscribed(String ch, long count) {
        if (channel.equals(ch)) {
          // Covers the first subscription and every resubscription after a reconnect: messages published
          // while we were not subscribed are lost, so whatever the tiers above hold may be stale.
          log.debug("Redis tier '{}' subscribed to {}; flushing the tiers above", name, ch);
          CacheInvalidator above = tiersAbove;
          if (above != null) {
            above.invalidateAll();
          }
        }
      }

      @Override
      public void message(String ch, String message) {
        if (channel.equals(ch)) {
          onInvalidation(message);
        }
      }
    });
    c.async().subscribe(channel).whenComplete((v, e) -> {
      if (e != null) {
        log.warn("Redis tier '{}' could not subscribe to {}: {}", name, channel, Redaction.describe(e));
      }
    });
  }

  private void onInvalidation(String message) {
    InvalidationMessage parsed = InvalidationMessage.parse(message);
    if (parsed == null) {
      if (log.isDebugEnabled()) {
        String shown = message == null ? "null"
            : message.length() > 80 ? message.substring(0, 80) + "..." : message;
        log.debug("Redis tier '{}': ignoring a malformed invalidation message on {}: {}", name, channel, shown);
      }
      return;
    }
    CacheInvalidator above = tiersAbove;
    if (above == null) {
      return;
    }
    try {
      if (parsed.isAll()) {
        above.invalidateAll();
      } else {
        above.invalidate(parsed.entity(), parsed.flag());
      }
    } catch (RuntimeException e) {
      log.warn("Redis tier '{}': evicting from the tiers above failed: {}", name, Redaction.describe(e));
    }
  }

  private CompletableFuture<Long> deleteKey(String entity, String flag) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed.get()) {
      return CompletableFuture.failedFuture(notConnected());
    }
    String key = keys.key(entity, flag);
    if (key == null) {
      return CompletableFuture.completedFuture(0L);
    }
    return cmd.unlink(key).toCompletableFuture();
  }

  private CompletableFuture<Long> deleteAllKeys() {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed.get()) {
      return CompletableFuture.failedFuture(notConnected());
    }
    ScanArgs args = ScanArgs.Builder.matches(keys.scanPattern()).limit(1000);
    return cmd.scan(args).toCompletableFuture().thenCompose(cursor -> deleteAndContinue(cmd, args, cursor, 0L));
  }

  private CompletableFuture<Long> deleteAndContinue(RedisClusterAsyncCommands<String, String> cmd, ScanArgs args,
      KeyScanCursor<String> cursor, long deletedSoFar) {
    List<String> found = cursor.getKeys();
    CompletableFuture<Long> deleted = found.isEmpty()
        ? CompletableFuture.completedFuture(0L)
        : cmd.unlink(found.toArray(new String[0])).toCompletableFuture();
    return deleted.thenCompose(n -> {
      long total = deletedSoFar + (n == null ? 0 : n);
      if (cursor.isFinished() || closed.get()) {
        return CompletableFuture.completedFuture(total);
      }
      return cmd.scan(cursor, args).toCompletableFuture().thenCompose(next -> deleteAndContinue(cmd, args, next, total));
    });
  }

  private CompletableFuture<Void> publish(String ch, String message) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed.get()) {
      return CompletableFuture.failedFuture(notConnected());
    }
    return cmd.publish(ch, message).toCompletableFuture().thenApply(n -> null);
  }

  private String requireChannel() {
    if (channel == null) {
      throw new IllegalStateException("Redis tier '" + name + "' has no invalidationChannel");
    }
    return channel;
  }

  private NotConnectedException notConnected() {
    return new NotConnectedException("Redis tier '" + name + "' is "
        + (closed.get() ? "closed" : "not connected to " + backend.description()));
  }

  /** A lookup while the tier has no connection; cheap, without a stack trace. */
  static final class NotConnectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConnectedException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Builds a {@link RedisFlagCache}. Setters validate at once, naming the option and the bad value
   * ({@link IllegalArgumentException}); setting an option twice or combining conflicting options is an
   * {@link IllegalStateException}. Set exactly one target: {@link #uri(String)} / {@link #uris}, or a
   * supplied {@link #client(RedisClient)} or {@link #client(RedisClusterClient)}.
   */
  public static final class Builder {
    /** The tier's name in logs, events and {@code FlagDetail.layer()}: {@value}. */
    public static final String DEFAULT_NAME = "redis";
    /** The key prefix: {@value}. */
    public static final String DEFAULT_PREFIX = "flagstack";
    /** How long an entry lives in Redis: 5 minutes. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    /** The TCP connect timeout: 1 s (Lettuce's own default is 10 s). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** The longest pause between connect attempts: 2 s. */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(2);
    /** Commands that may await a reply at once before new ones are rejected: {@value}. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;

    private String name;
    private String prefix;
    private Duration ttl;
    private Duration timeBudget;
    private Duration connectTimeout;
    private Duration maxReconnectDelay;
    private Integer requestQueueSize;
    private String channel;
    private List<RedisURI> uris;
    private boolean urisParsedHere;
    private Boolean cluster;
    private RedisClient suppliedClient;
    private RedisClusterClient suppliedClusterClient;

    private Builder() {}

    /** The tier's name; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      checkUnset("name", this.name);
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was " + (name == null ? "null" : "'" + name + "'"));
      }
      this.name = name;
      return this;
    }

    /**
     * The key prefix, 1 to 64 printable ASCII chars without spaces or braces; default
     * {@value #DEFAULT_PREFIX}. Tiers with different prefixes never see each other's keys.
     */
    public Builder prefix(String prefix) {
      checkUnset("prefix", this.prefix);
      this.prefix = KeyCodec.checkPrefix(prefix);
      return this;
    }

    /** How long an entry lives, at least 1 ms; default 5 minutes ({@link #DEFAULT_TTL}). */
    public Builder ttl(Duration ttl) {
      checkUnset("ttl", this.ttl);
      this.ttl = checkPositive("ttl", ttl, Duration.ofMillis(1));
      return this;
    }

    /**
     * The lookup budget the client gives this tier and the timeout of every Redis command, at least 1 ms;
     * default 100 ms ({@link FlagCache#DEFAULT_TIME_BUDGET}).
     */
    public Builder timeBudget(Duration budget) {
      checkUnset("timeBudget", this.timeBudget);
      this.timeBudget = checkPositive("timeBudget", budget, Duration.ofMillis(1));
      return this;
    }

    /** The TCP connect timeout, 1 ms to 10 s; default 1 s. Ignored with a supplied client. */
    public Builder connectTimeout(Duration timeout) {
      checkUnset("connectTimeout", this.connectTimeout);
      checkPositive("connectTimeout", timeout, Duration.ofMillis(1));
      if (timeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("connectTimeout must be at most 10 s, was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * The longest pause between connect attempts, both the tier's first connect and Lettuce's reconnects
     * (with a supplied client, the client's own reconnect delay applies to the latter), at least 50 ms;
     * default 2 s.
     */
    public Builder maxReconnectDelay(Duration delay) {
      checkUnset("maxReconnectDelay", this.maxReconnectDelay);
      this.maxReconnectDelay = checkPositive("maxReconnectDelay", delay, Duration.ofMillis(50));
      return this;
    }

    /** Commands awaiting a reply before new ones are rejected, at least 16; default {@value #DEFAULT_REQUEST_QUEUE_SIZE}. */
    public Builder requestQueueSize(int size) {
      checkUnset("requestQueueSize", this.requestQueueSize);
      if (size < 16) {
        throw new IllegalArgumentException("requestQueueSize must be at least 16, was " + size);
      }
      this.requestQueueSize = size;
      return this;
    }

    /** Subscribe to this pub/sub channel for invalidations (see the class javadoc); default none. */
    public Builder invalidationChannel(String channel) {
      checkUnset("invalidationChannel", this.channel);
      if (channel == null || channel.isBlank()) {
        throw new IllegalArgumentException("invalidationChannel must not be blank, was "
            + (channel == null ? "null" : "'" + channel + "'"));
      }
      this.channel = channel;
      return this;
    }

    /**
     * The server: {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://...} or
     * {@code redis-sentinel://[password@]host1:port1,host2:port2[/db]#masterId}; for a cluster, a seed node
     * together with {@link #cluster(boolean) cluster(true)}.
     */
    public Builder uri(String uri) {
      uris(List.of(parse(uri)));
      urisParsedHere = true;
      return this;
    }

    /** The server as a Lettuce {@link RedisURI}; see {@link #uri(String)}. */
    public Builder uri(RedisURI uri) {
      return uris(List.of(Objects.requireNonNull(uri, "uri")));
    }

    /** Seed nodes of a cluster (requires {@link #cluster(boolean) cluster(true)}), in URI form. */
    public Builder uris(String... uris) {
      List<RedisURI> parsed = new ArrayList<>();
      for (String uri : uris) {
        parsed.add(parse(uri));
      }
      uris(parsed);
      urisParsedHere = true;
      return this;
    }

    private Builder uris(List<RedisURI> parsed) {
      if (this.uris != null) {
        throw new IllegalStateException("uri was already set to " + Redaction.describe(this.uris));
      }
      if (parsed.isEmpty()) {
        throw new IllegalArgumentException("uris must not be empty");
      }
      this.uris = List.copyOf(parsed);
      return this;
    }

    /** Whether the URIs are seeds of a Redis Cluster (then a {@link RedisClusterClient} is used); default false. */
    public Builder cluster(boolean cluster) {
      checkUnset("cluster", this.cluster);
      this.cluster = cluster;
      return this;
    }

    /**
     * Use the caller's client, which the tier never shuts down; its options apply (set
     * {@code DisconnectedBehavior.REJECT_COMMANDS} and a command timeout, or lookups queue while Redis is
     * down). With a {@link #uri(String)} the tier connects there, else to the client's default URI.
     */
    public Builder client(RedisClient client) {
      checkClientUnset();
      this.suppliedClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Use the caller's cluster client, which the tier never shuts down; its options and seed URIs apply. */
    public Builder client(RedisClusterClient client) {
      checkClientUnset();
      this.suppliedClusterClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the tier and starts connecting in the background. Never throws because Redis is down: the
     * tier misses until it connects.
     *
     * @throws IllegalStateException if no target or conflicting targets were set
     */
    public RedisFlagCache build() {
      boolean clustered = Boolean.TRUE.equals(cluster) || suppliedClusterClient != null;
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
      Builder b = withDefaults();
      RedisBackend backend = b.backend(clustered);
      RedisFlagCache cache = new RedisFlagCache(b, backend);
      cache.start();
      return cache;
    }

    private Builder withDefaults() {
      Builder b = new Builder();
      b.name = name != null ? name : DEFAULT_NAME;
      b.prefix = prefix != null ? prefix : DEFAULT_PREFIX;
      b.ttl = ttl != null ? ttl : DEFAULT_TTL;
      b.timeBudget = timeBudget != null ? timeBudget : DEFAULT_TIME_BUDGET;
      b.connectTimeout = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
      b.maxReconnectDelay = maxReconnectDelay != null ? maxReconnectDelay : DEFAULT_MAX_RECONNECT_DELAY;
      b.requestQueueSize = requestQueueSize != null ? requestQueueSize : DEFAULT_REQUEST_QUEUE_SIZE;
      b.channel = channel;
      b.uris = uris;
      b.urisParsedHere = urisParsedHere;
      b.cluster = cluster;
      b.suppliedClient = suppliedClient;
      b.suppliedClusterClient = suppliedClusterClient;
      return b;
    }

    private RedisBackend backend(boolean clustered) {
      List<RedisURI> targets = uris;
      if (uris != null && urisParsedHere) {
        for (RedisURI u : uris) {
          // Bounds the connection handshake; a RedisURI the caller passed in keeps the caller's value.
          u.setTimeout(connectTimeout);
        }
      }
      if (suppliedClusterClient != null) {
        warnIfQueuing(suppliedClusterClient);
        return RedisBackend.cluster(suppliedClusterClient, false, null, "supplied RedisClusterClient");
      }
      if (suppliedClient != null) {
        warnIfQueuing(suppliedClient);
        RedisURI target = targets == null ? null : targets.get(0);
        return RedisBackend.standalone(suppliedClient, target, false, null,
            target == null ? "supplied RedisClient" : Redaction.describe(target));
      }
      ClientResources resources = DefaultClientResources.builder()
          .ioThreadPoolSize(2)
          .computationThreadPoolSize(2)
          .reconnectDelay(Delay.equalJitter(Duration.ofMillis(10), maxReconnectDelay, 20, TimeUnit.MILLISECONDS))
          .build();
      SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
      TimeoutOptions timeouts = TimeoutOptions.enabled(timeBudget);
      String description = Redaction.describe(targets);
      if (clustered) {
        RedisClusterClient client = RedisClusterClient.create(resources, targets);
        client.setOptions(ClusterClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(requestQueueSize)
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
          .requestQueueSize(requestQueueSize)
          .timeoutOptions(timeouts)
          .socketOptions(socket)
          .build());
      return RedisBackend.standalone(client, targets.get(0), true, resources, description);
    }

    private static void warnIfQueuing(AbstractRedisClient client) {
      ClientOptions options = client instanceof RedisClusterClient
          ? ((RedisClusterClient) client).getOptions() : ((RedisClient) client).getOptions();
      if (options.getDisconnectedBehavior() != ClientOptions.DisconnectedBehavior.REJECT_COMMANDS
          || !options.getTimeoutOptions().isTimeoutCommands()) {
        log.warn("the supplied Lettuce client queues commands while disconnected or has no command timeout; "
            + "the Redis tier still gives up after its time budget, but commands pile up in the client. "
            + "Set DisconnectedBehavior.REJECT_COMMANDS and TimeoutOptions.enabled(...)");
      }
    }

    private static RedisURI parse(String uri) {
      if (uri == null) {
        throw new IllegalArgumentException("uri must not be null");
      }
      try {
        return RedisURI.create(uri);
      } catch (RuntimeException e) {
        // Never echo the text or the cause's message: the URI may hold a password.
        int scheme = uri.indexOf("://");
        String shown = scheme > 0 && scheme < 20 && uri.substring(0, scheme).matches("[a-z+-]+")
            ? "scheme " + uri.substring(0, scheme) : "no recognizable scheme";
        throw new IllegalArgumentException("uri is not a valid Redis URI (" + shown + ")");
      }
    }

    private void checkClientUnset() {
      if (suppliedClient != null || suppliedClusterClient != null) {
        throw new IllegalStateException("client was already set");
      }
    }

    private static void checkUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    private static Duration checkPositive(String option, Duration value, Duration min) {
      if (value == null) {
        throw new IllegalArgumentException(option + " must not be null");
      }
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(option + " must be at least " + min.toMillis() + " ms, was " + value);
      }
      return value;
    }
  }
}
