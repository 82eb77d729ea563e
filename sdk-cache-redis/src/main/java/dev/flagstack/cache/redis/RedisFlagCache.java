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
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.cache.redis.internal.TierParts;
import dev.flagstack.cache.redis.internal.TierSettings;
import dev.flagstack.cache.redis.internal.ValueCodec;
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

/**
 * A shared, remote cache tier over Redis (Lettuce, async API only). Add it below an in-process tier:
 *
 * <pre>{@code
 * FlagClient client = FlagClient.builder()
 *     .addCache(MemoryFlagCache.builder().build())
 *     .addCache(RedisFlagCache.builder().uri("redis://cache.internal:6379").build())
 *     .primary(store)
 *     .build();
 * }</pre>
 *
 * <h2>Failing fast</h2>
 * A slow or absent Redis is a miss, never a wait: commands time out after {@link #timeBudget()}, are
 * rejected at once while disconnected, and at most {@link Builder#DEFAULT_REQUEST_QUEUE_SIZE} await replies.
 * If Redis is down at {@link Builder#build()}, the tier connects in the background.
 *
 * <h2>Keys and values</h2>
 * A key is {@code <prefix>:{<n>:<entity>}:<m>:<flag>} ({@code n}, {@code m}: the ids' lengths; long ids
 * hashed; the braces a Cluster hash tag, so a batch is one MGET). A value is
 * {@code 2|<tag>|<stamp>|<json>}: its type, the time its load began, {@link FlagValue#toJson()}; values
 * of version 1 ({@code 1|<tag>|<json>}) still read, as stamp 0. A malformed value is a miss. Every entry
 * expires after {@link Builder#ttl(Duration)}. The module's README has the details.
 *
 * <h2>Change notices</h2>
 * {@link #flagsChanged} and {@link #everythingChanged} (called by the client when a store reports
 * changes) enumerate no keys: the tier remembers, in memory, when each flag changed, and from then on
 * refuses a stored value whose stamp is older than that plus {@link Builder#clockSkewAllowance}, whoever
 * wrote it and however late its write landed.
 *
 * <h2>Invalidation</h2>
 * With {@link Builder#invalidationChannel(String)}, the tier evicts what a message on that channel names
 * from the tiers above it ({@code 1|*}: everything; {@code 1|F|<n>:<entity><flag>}: one flag), and
 * flushes them on each (re)subscription. {@link #publishInvalidation} and {@link #publishInvalidateAll()}
 * delete, then publish; every invalidation is repeated after {@link Builder#invalidationRepeatDelay}.
 *
 * <h2>Threads and lifecycle</h2>
 * Thread-safe. Futures complete on Lettuce's I/O threads. {@link #close()} is idempotent and closes the
 * Lettuce client and resources only if the tier created them. Credentials never appear in logs,
 * exceptions or {@link #toString()}.
 */
public final class RedisFlagCache implements FlagCache, LayerHealth {
  private final TierParts tier;
  private final TierSettings settings;

  private RedisFlagCache(TierParts tier) {
    this.tier = tier;
    this.settings = tier.settings;
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
    return tier.connections.isConnected();
  }

  /** One MGET for the whole batch; a malformed value, or one refused after a change notice, is absent. */
  @Override
  public CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    return tier.commands.getAll(entity, flags);
  }

  /** SET PX for each value, pipelined, with stamp 0 (load time unknown: refused once its flag changes). */
  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values) {
    return tier.commands.putAll(entity, values, ValueCodec.NO_STAMP);
  }

  /** SET PX for each value, stamped {@code loadStartedMillis}, pipelined. */
  @Override
  public CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values, long loadStartedMillis) {
    return tier.commands.putAll(entity, values, loadStartedMillis);
  }

  /** Remembers, in memory (see "Change notices" above), when {@code flags} changed; sends no command. */
  @Override
  public void flagsChanged(Set<String> flags, long atMillis) {
    tier.changes.flagsChanged(Objects.requireNonNull(flags, "flags"), atMillis);
  }

  /** Remembers, in memory, that everything changed at {@code atMillis}; sends no command. */
  @Override
  public void everythingChanged(long atMillis) {
    tier.changes.everythingChanged(atMillis);
  }

  /** Deletes the entry from Redis (UNLINK, asynchronously, and again after the repeat delay). */
  @Override
  public void invalidate(String entity, String flag) {
    tier.invalidations.delete(entity, flag);
  }

  /**
   * Deletes every key under this tier's prefix, asynchronously, with SCAN and UNLINK, and again after the
   * repeat delay: keys of other prefixes are left alone. A failure is logged at debug.
   */
  @Override
  public void invalidateAll() {
    tier.invalidations.deleteAll();
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
    return tier.invalidations.publish(entity, flag);
  }

  /**
   * Deletes every key under this tier's prefix, then publishes a message that makes every subscribed tier
   * flush the tiers above it; both again after the repeat delay. The stage completes with the first publish.
   *
   * @throws IllegalStateException if no {@link Builder#invalidationChannel(String)} was set
   */
  public CompletionStage<Void> publishInvalidateAll() {
    return tier.invalidations.publishAll();
  }

  @Override
  public void bind(CacheInvalidator tiersAbove) {
    Objects.requireNonNull(tiersAbove, "tiersAbove");
    if (tier.subscriber != null) {
      tier.subscriber.bind(tiersAbove);
    }
  }

  /** Stops connecting, closes this tier's connections, and shuts down the Lettuce client only if it made it. */
  @Override
  public void close() {
    tier.close();
  }

  @Override
  public String toString() {
    return "RedisFlagCache{name=" + name() + ", redis=" + tier.backend.description() + ", prefix=" + settings.prefix()
        + ", ttl=" + settings.ttl() + ", timeBudget=" + settings.timeBudget()
        + (settings.channel() == null ? "" : ", channel=" + settings.channel()) + ", connected=" + isConnected()
        + (tier.isClosed() ? ", closed" : "") + '}';
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
    /** How long an entry lives: 20 s, so stale values end within a minute even with no change notices. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(20);
    /** The TCP connect timeout: 1 s (Lettuce's own default is 10 s). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** The longest pause between connect attempts: 2 s. */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(2);
    /** Commands that may await a reply at once before new ones are rejected: {@value}. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;
    /** How long after an invalidation it is repeated: 2 s, the primary's default 1 s call timeout and margin. */
    public static final Duration DEFAULT_INVALIDATION_REPEAT_DELAY = Duration.ofSeconds(2);
    /** How far apart the clocks of the processes sharing Redis may be: 1 s. */
    public static final Duration DEFAULT_CLOCK_SKEW_ALLOWANCE = Duration.ofSeconds(1);

    private String name;
    private String prefix;
    private Duration ttl;
    private Duration timeBudget;
    private Duration connectTimeout;
    private Duration maxReconnectDelay;
    private Integer requestQueueSize;
    private String channel;
    private Duration invalidationRepeatDelay;
    private Duration clockSkewAllowance;
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

    /** How long an entry lives, at least 1 ms; default 20 seconds ({@link #DEFAULT_TTL}). */
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
     * old value after the first delete; the repeat removes it, so such a value is served for at most this
     * delay if every such write reaches Redis within it. Set at least the primary's call timeout plus the
     * time budget: the default covers a 1 s primary; use 6 s for a 5 s REST primary (README: "Late writes").
     */
    public Builder invalidationRepeatDelay(Duration delay) {
      checkUnset("invalidationRepeatDelay", this.invalidationRepeatDelay);
      this.invalidationRepeatDelay = checkBetween("invalidationRepeatDelay", delay, Duration.ofMillis(1),
          Duration.ofMinutes(1), "1 minute");
      return this;
    }

    /**
     * How far apart the clocks of the processes sharing this Redis (and prefix) may be, 0 to 1 minute;
     * default 1 s ({@link #DEFAULT_CLOCK_SKEW_ALLOWANCE}). Assumes those clocks are within this of each
     * other (NTP). After a change notice, a value of the flag is refused unless its load began at least
     * this long after the notice; so its cost: for this long after a change, that flag's Redis entries,
     * whoever wrote them, are refused and its reads go to the primary (once per entity and process, as
     * the in-process tier keeps what they load).
     */
    public Builder clockSkewAllowance(Duration allowance) {
      checkUnset("clockSkewAllowance", this.clockSkewAllowance);
      this.clockSkewAllowance = checkBetween("clockSkewAllowance", allowance, Duration.ZERO, Duration.ofMinutes(1),
          "1 minute");
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
          clockSkewAllowance != null ? clockSkewAllowance : DEFAULT_CLOCK_SKEW_ALLOWANCE,
          uris, urisParsedHere, ClientFactory.isClustered(cluster, suppliedClusterClient),
          suppliedClient, suppliedClusterClient);
      return new RedisFlagCache(new TierParts(s).start());
    }
  }
}
