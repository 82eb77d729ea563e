package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.internal.BuilderChecks.checkAtLeast;
import static dev.flagstack.cache.redis.internal.BuilderChecks.checkBetween;
import static dev.flagstack.cache.redis.internal.BuilderChecks.checkNotBlank;
import static dev.flagstack.cache.redis.internal.BuilderChecks.checkUnset;
import static dev.flagstack.cache.redis.internal.BuilderChecks.checkUris;
import static dev.flagstack.cache.redis.internal.BuilderChecks.parseUri;

import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.internal.BuilderChecks;
import dev.flagstack.cache.redis.internal.ClientFactory;
import dev.flagstack.cache.redis.internal.InvalidationSubscriber;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.cache.redis.internal.RedisBackend;
import dev.flagstack.cache.redis.internal.TierCommands;
import dev.flagstack.cache.redis.internal.TierConnections;
import dev.flagstack.cache.redis.internal.TierInvalidations;
import dev.flagstack.cache.redis.internal.TierSettings;
import dev.flagstack.spi.CacheInvalidator;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.LayerHealth;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <h2>Late writes</h2>
 * Every invalidation (also {@link #invalidate}, {@link #invalidateAll()}) is done twice, the second time
 * after {@link Builder#invalidationRepeatDelay(Duration)}, publishing again: an old value a slow load writes
 * just after the first delete lives that long (see there), not its whole TTL. A write is never sent later
 * than its budget, not even after a reconnect.
 *
 * <h2>Threads and lifecycle</h2>
 * Thread-safe. Futures complete on Lettuce's I/O threads. {@link #close()} is idempotent and closes the
 * Lettuce client and resources only if the tier created them. Credentials never appear in logs,
 * exceptions or {@link #toString()}.
 */
public final class RedisFlagCache implements FlagCache, LayerHealth {
  private final TierSettings settings;
  private final RedisBackend backend;
  private final TierCommands commands;
  private final InvalidationSubscriber subscriber;
  private final TierConnections connections;
  private final TierInvalidations invalidations;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RedisFlagCache(TierSettings s, RedisBackend backend) {
    this.settings = s;
    this.backend = backend;
    this.commands = new TierCommands(s, new KeyCodec(s.prefix()), backend);
    this.subscriber = s.channel() == null ? null : new InvalidationSubscriber(s.name(), s.channel());
    this.connections = new TierConnections(s, backend, commands, subscriber);
    this.invalidations = new TierInvalidations(s, commands);
  }

  /** A builder with every default; set {@link Builder#uri(String)} or {@link Builder#client}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return settings.name();
  }

  /** The lookup budget, which is also every command's timeout; default {@link FlagCache#DEFAULT_TIME_BUDGET}. */
  @Override
  public Duration timeBudget() {
    return settings.timeBudget();
  }

  /** Whether the data connection is open and connected right now; for health checks. */
  public boolean isConnected() {
    return connections.isConnected();
  }

  /** One MGET for the whole batch; a malformed stored value is absent from the result. */
  @Override
  public CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    return commands.getAll(entity, flags);
  }

  /** SET PX for each value, written together with one flush (pipelined). */
  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values) {
    return commands.putAll(entity, values);
  }

  /** Deletes the entry from Redis (UNLINK, asynchronously, and again after the repeat delay). */
  @Override
  public void invalidate(String entity, String flag) {
    invalidations.delete(entity, flag);
  }

  /**
   * Deletes every key under this tier's prefix, asynchronously, with SCAN and UNLINK, and again after the
   * repeat delay: keys of other prefixes are left alone. A failure is logged at debug.
   */
  @Override
  public void invalidateAll() {
    invalidations.deleteAll();
  }

  /**
   * Deletes the entry from Redis, then publishes a message that makes every subscribed tier (this one
   * included) evict it from the in-process tiers above it; both again after the repeat delay. The stage
   * completes with the first publish.
   *
   * @throws IllegalStateException if no {@link Builder#invalidationChannel(String)} was set
   */
  public CompletionStage<Void> publishInvalidation(String entity, String flag) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(flag, "flag");
    return invalidations.publish(entity, flag);
  }

  /**
   * Deletes every key under this tier's prefix, then publishes a message that makes every subscribed tier
   * flush the tiers above it; both again after the repeat delay. The stage completes with the first publish.
   *
   * @throws IllegalStateException if no {@link Builder#invalidationChannel(String)} was set
   */
  public CompletionStage<Void> publishInvalidateAll() {
    return invalidations.publishAll();
  }

  @Override
  public void bind(CacheInvalidator tiersAbove) {
    Objects.requireNonNull(tiersAbove, "tiersAbove");
    if (subscriber != null) {
      subscriber.bind(tiersAbove);
    }
  }

  /** Stops connecting, closes this tier's connections, and shuts down the Lettuce client only if it made it. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    commands.close();
    connections.close();
  }

  @Override
  public String toString() {
    return "RedisFlagCache{name=" + name() + ", redis=" + backend.description() + ", prefix=" + settings.prefix()
        + ", ttl=" + settings.ttl() + ", timeBudget=" + settings.timeBudget()
        + (settings.channel() == null ? "" : ", channel=" + settings.channel()) + ", connected=" + isConnected()
        + (closed.get() ? ", closed" : "") + '}';
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
    /** How long after an invalidation it is repeated: 2 s, the primary's default 1 s call timeout and margin. */
    public static final Duration DEFAULT_INVALIDATION_REPEAT_DELAY = Duration.ofSeconds(2);

    private String name;
    private String prefix;
    private Duration ttl;
    private Duration timeBudget;
    private Duration connectTimeout;
    private Duration maxReconnectDelay;
    private Integer requestQueueSize;
    private String channel;
    private Duration invalidationRepeatDelay;
    private List<RedisURI> uris;
    private boolean urisParsedHere;
    private Boolean cluster;
    private RedisClient suppliedClient;
    private RedisClusterClient suppliedClusterClient;

    private Builder() {}

    /** The tier's name; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      checkUnset("name", this.name);
      this.name = checkNotBlank("name", name);
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
      this.ttl = checkAtLeast("ttl", ttl, Duration.ofMillis(1));
      return this;
    }

    /**
     * The lookup budget the client gives this tier and the timeout of every Redis command, at least 1 ms;
     * default 100 ms ({@link FlagCache#DEFAULT_TIME_BUDGET}).
     */
    public Builder timeBudget(Duration budget) {
      checkUnset("timeBudget", this.timeBudget);
      this.timeBudget = checkAtLeast("timeBudget", budget, Duration.ofMillis(1));
      return this;
    }

    /** The TCP connect timeout, 1 ms to 10 s; default 1 s. Ignored with a supplied client. */
    public Builder connectTimeout(Duration timeout) {
      checkUnset("connectTimeout", this.connectTimeout);
      this.connectTimeout = checkBetween("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10), "10 s");
      return this;
    }

    /**
     * The longest pause between connect attempts, both the tier's first connect and Lettuce's reconnects
     * (with a supplied client, the client's own reconnect delay applies to the latter), at least 50 ms;
     * default 2 s.
     */
    public Builder maxReconnectDelay(Duration delay) {
      checkUnset("maxReconnectDelay", this.maxReconnectDelay);
      this.maxReconnectDelay = checkAtLeast("maxReconnectDelay", delay, Duration.ofMillis(50));
      return this;
    }

    /** Commands awaiting a reply before new ones are rejected, at least 16; default {@value #DEFAULT_REQUEST_QUEUE_SIZE}. */
    public Builder requestQueueSize(int size) {
      checkUnset("requestQueueSize", this.requestQueueSize);
      this.requestQueueSize = checkAtLeast("requestQueueSize", size, 16);
      return this;
    }

    /** Subscribe to this pub/sub channel for invalidations (see the class javadoc); default none. */
    public Builder invalidationChannel(String channel) {
      checkUnset("invalidationChannel", this.channel);
      this.channel = checkNotBlank("invalidationChannel", channel);
      return this;
    }

    /**
     * How long after an invalidation its delete (and publish) is repeated, 1 ms to 1 minute; default 2 s
     * ({@link #DEFAULT_INVALIDATION_REPEAT_DELAY}). A load that began before a flag changed can write the
     * old value after the first delete; the repeat removes it. Bound: such a value is served from Redis for
     * at most this delay (plus one round trip) after the invalidation, provided every such write reaches
     * Redis within it. A write is sent within the loading client's primary {@code callTimeout} after the
     * invalidation (sooner where that client's tiers get the message and drop late loads) and reaches
     * Redis within this tier's budget, or never. So set at least the primary's call timeout plus the time
     * budget: the default covers a 1 s primary; use 6 s for a 5 s REST primary. Not covered: a Redis that
     * stalls longer than the delay with the write already in its socket buffer.
     */
    public Builder invalidationRepeatDelay(Duration delay) {
      checkUnset("invalidationRepeatDelay", this.invalidationRepeatDelay);
      this.invalidationRepeatDelay = checkBetween("invalidationRepeatDelay", delay, Duration.ofMillis(1),
          Duration.ofMinutes(1), "1 minute");
      return this;
    }

    /**
     * The server: {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://...} or
     * {@code redis-sentinel://[password@]host1:port1,host2:port2[/db]#masterId}; for a cluster, a seed node
     * together with {@link #cluster(boolean) cluster(true)}.
     */
    public Builder uri(String uri) {
      this.uris = checkUris(this.uris, List.of(parseUri(uri)));
      urisParsedHere = true;
      return this;
    }

    /** The server as a Lettuce {@link RedisURI}; see {@link #uri(String)}. */
    public Builder uri(RedisURI uri) {
      this.uris = checkUris(this.uris, List.of(Objects.requireNonNull(uri, "uri")));
      return this;
    }

    /** Seed nodes of a cluster (requires {@link #cluster(boolean) cluster(true)}), in URI form. */
    public Builder uris(String... uris) {
      this.uris = checkUris(this.uris, Arrays.stream(uris).map(BuilderChecks::parseUri).toList());
      urisParsedHere = true;
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
      checkUnset("client", suppliedClient != null ? suppliedClient : suppliedClusterClient);
      this.suppliedClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Use the caller's cluster client, which the tier never shuts down; its options and seed URIs apply. */
    public Builder client(RedisClusterClient client) {
      checkUnset("client", suppliedClient != null ? suppliedClient : suppliedClusterClient);
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
      ClientFactory.checkTargets(uris, cluster, suppliedClient, suppliedClusterClient);
      TierSettings s = new TierSettings(
          name != null ? name : DEFAULT_NAME,
          prefix != null ? prefix : DEFAULT_PREFIX,
          ttl != null ? ttl : DEFAULT_TTL,
          timeBudget != null ? timeBudget : DEFAULT_TIME_BUDGET,
          connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT,
          maxReconnectDelay != null ? maxReconnectDelay : DEFAULT_MAX_RECONNECT_DELAY,
          requestQueueSize != null ? requestQueueSize : DEFAULT_REQUEST_QUEUE_SIZE,
          channel, invalidationRepeatDelay != null ? invalidationRepeatDelay : DEFAULT_INVALIDATION_REPEAT_DELAY,
          uris, urisParsedHere, ClientFactory.isClustered(cluster, suppliedClusterClient),
          suppliedClient, suppliedClusterClient);
      RedisFlagCache cache = new RedisFlagCache(s, ClientFactory.backend(s));
      cache.connections.start();
      return cache;
    }
  }
}
