package dev.flagstack.store.mongo;

import static dev.flagstack.store.mongo.internal.BuilderChecks.checkUnset;
import static dev.flagstack.store.mongo.internal.BuilderChecks.inRange;
import static dev.flagstack.store.mongo.internal.BuilderChecks.intMillis;
import static dev.flagstack.store.mongo.internal.BuilderChecks.notBlank;
import static dev.flagstack.store.mongo.internal.BuilderChecks.parseConnectionString;
import static dev.flagstack.store.mongo.internal.BuilderChecks.positive;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.mongo.internal.DefinitionQuery;
import dev.flagstack.store.mongo.internal.Secrets;
import dev.flagstack.store.mongo.internal.StoreBackend;
import dev.flagstack.store.mongo.internal.StoreErrors;
import dev.flagstack.store.mongo.internal.StoreExecutor;
import dev.flagstack.store.mongo.internal.StoreSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only {@link FlagDefinitionStore} over a MongoDB collection of flag definitions, usable as the
 * secondary store (a database read when the flags API is down) or as the primary (the database read
 * directly). It serves the definitions themselves ({@link #getDefinitions}), which the client can cache
 * and evaluate for every entity, and {@link #getFlags} evaluates them with
 * {@link FlagDefinition#evaluate(String)}, so this store answers exactly as any other implementation of
 * those rules.
 *
 * <pre>{@code
 * MongoFlagStore store = MongoFlagStore.builder()
 *     .connectionString("mongodb://flags-reader:secret@db1,db2,db3/?replicaSet=rs0")
 *     .database("flagstack")
 *     .collection("flags")
 *     .build();
 * }</pre>
 *
 * <h2>Schema</h2>
 * One document per flag, its key in {@code _id}. Keys and entity ids are data, never field paths: they
 * may contain {@code .}, start with {@code $}, hold spaces or any Unicode.
 * <pre>{@code
 * {
 *   "_id": "new-checkout",                 // the flag key (string, required)
 *   "type": "boolean",                     // optional: "boolean" | "string" | "long" | "double" | "json"
 *   "value": false,                        // the default value (required)
 *   "overrides": [                         // optional array: values for single entities
 *     { "entity": "tenant-42", "value": true },
 *     { "entity": "acme.corp", "value": true }
 *   ],
 *   "rollout": { "percentage": 12.5,       // optional: 0 to 100, a number
 *                "value": true }
 * }
 * }</pre>
 * Values may be BSON booleans, strings, 32- or 64-bit integers (read as LONG), finite doubles, documents
 * or arrays (read as JSON, whose leaves may also be null). Every value of a flag must have the same type,
 * except that integers and doubles may be mixed; with {@code "type": "double"} integers are read as
 * doubles. Fields other than these are ignored and not transferred.
 *
 * <h2>Reads</h2>
 * <ul>
 *   <li>One query per batch, {@code {_id: {$in: [...]}}} on the always-present {@code _id} index,
 *       projected to the fields above and fetched in a single batch: 50 or 500 flags are one round trip.
 *   <li>A flag with no document is absent from the result.
 *   <li>A requested flag whose document breaks the schema (overrides not an array, a percentage of 250,
 *       a date as a value, mixed types, ...) fails the <em>whole batch</em> with the non-transient
 *       {@link StoreException#rejected} {@code "flag 'x' has an invalid definition: ..."}, naming the first
 *       bad flag in key order: no flag of the batch gets a wrong or partial answer. Only the documents of
 *       requested flags are read, so a bad document never affects batches that do not ask for it.
 *   <li>Authentication refused is non-transient too. Every other failure (server down or slow, no
 *       primary, network errors, a full queue, a closed store) is a transient {@link StoreException}
 *       whose message never contains the connection string or the password.
 * </ul>
 *
 * <h2>Threads and time</h2>
 * {@link #getFlags} never blocks: the synchronous driver runs on {@link Builder#executorThreads} daemon
 * threads owned by this store, behind a queue of {@link Builder#queueCapacity} tasks; when the queue is
 * full the call fails transiently at once. Returned stages complete on those threads. For a client this
 * store builds, the driver's own waits are short (server selection {@value Builder#DEFAULT_SERVER_SELECTION_TIMEOUT_MS}
 * ms, connect {@value Builder#DEFAULT_CONNECT_TIMEOUT_MS} ms, socket read {@value Builder#DEFAULT_READ_TIMEOUT_MS}
 * ms, pool wait {@value Builder#DEFAULT_POOL_WAIT_TIMEOUT_MS} ms, reads not retried), overriding any
 * timeouts in the URI. A client you pass in keeps its own settings, so configure it likewise; either way
 * the {@link FlagStore} client abandons a call after {@link #callTimeout()}. Every find also carries
 * {@code maxTimeMS} = {@link #callTimeout()}, so the server stops a query the client gave up on. A
 * returned stage completes only once the driver call has returned (never on a timer of its own), so a
 * caller that holds a permit until then bounds the queries really running.
 *
 * <h2>Lifecycle</h2>
 * Thread-safe and immutable. {@link #close()} stops the store's threads (queued calls fail transiently)
 * and closes the {@code MongoClient} only if this store built it. Idempotent.
 */
public final class MongoFlagStore implements FlagDefinitionStore {
  private static final Logger log = LoggerFactory.getLogger(MongoFlagStore.class);

  private final String name;
  private final Duration callTimeout;
  private final StoreBackend backend;
  private final DefinitionQuery query;
  private final StoreExecutor executor;
  private final StoreErrors errors;
  private volatile boolean closed;

  private MongoFlagStore(StoreSettings s) {
    this.name = s.name();
    this.callTimeout = s.callTimeout();
    Secrets secrets = s.connectionString() == null ? Secrets.none() : Secrets.of(s.connectionString());
    this.backend = new StoreBackend(s, Builder.DEFAULT_DATABASE, secrets);
    this.query = new DefinitionQuery(backend.collection(), callTimeout);
    this.executor = new StoreExecutor(name, s.executorThreads(), s.queueCapacity());
    this.errors = new StoreErrors(name, secrets);
    log.debug("created {}", backend.description());
  }

  /** A builder with every default; set {@link Builder#connectionString} or {@link Builder#client}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The call timeout, {@link Builder#DEFAULT_CALL_TIMEOUT} (2 s) unless set. */
  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * The definitions of those {@code flags} that have a document, in one query, on the store's threads.
   * The stage fails with a {@link StoreException}: non-transient ({@code rejected}, naming the flag) if a
   * requested document breaks the schema or authentication is refused, transient otherwise. The map is
   * unmodifiable.
   */
  @Override
  public CompletionStage<Map<String, FlagDefinition>> getDefinitions(Set<String> flags) {
    Objects.requireNonNull(flags, "flags");
    return executor.submit(() -> Collections.unmodifiableMap(query.run(flags)), errors);
  }

  /**
   * {@code flags} evaluated for {@code entity}: {@link #getDefinitions} (one query) and
   * {@link FlagDefinition#evaluate}; fails as {@link #getDefinitions} does.
   */
  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    Objects.requireNonNull(entity, "entity");
    return FlagDefinitionStore.super.getFlags(entity, flags);
  }

  /** Stops the store's threads and closes the client if this store built it. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    executor.shutdownNow();
    backend.close();
  }

  /** The name, hosts, database, collection and read preference; never the connection string or a password. */
  @Override
  public String toString() {
    return backend.description();
  }

  /**
   * Builds a {@link MongoFlagStore}. Exactly one of {@link #connectionString} and {@link #client} is
   * required. Setters validate at once and name the option and the bad value; setting an option twice is
   * an {@link IllegalStateException}. Not thread-safe.
   */
  public static final class Builder {
    /** The store's name in logs, events and errors: {@value}. */
    public static final String DEFAULT_NAME = "mongo";
    /** The database when neither {@link #database} nor the connection string names one: {@value}. */
    public static final String DEFAULT_DATABASE = "flagstack";
    /** The collection of flag documents: {@value}. */
    public static final String DEFAULT_COLLECTION = "flags";
    /** The call timeout: 2 s. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(2);
    /** How long a built client waits for a suitable server: {@value} ms (the driver's default is 30 s). */
    public static final long DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 1_000;
    /** A built client's TCP connect timeout: {@value} ms (the driver's default is 10 s). */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
    /** A built client's socket read timeout: {@value} ms (the driver's default is none). */
    public static final long DEFAULT_READ_TIMEOUT_MS = 2_000;
    /** How long a built client waits for a pooled connection: {@value} ms (the driver's default is 2 min). */
    public static final long DEFAULT_POOL_WAIT_TIMEOUT_MS = 500;
    /** The read preference: primary when there is one, else a secondary (reads during elections). */
    public static final ReadPreference DEFAULT_READ_PREFERENCE = ReadPreference.primaryPreferred();
    /** Threads running the driver, and a built client's maximum pool size: {@value}. */
    public static final int DEFAULT_EXECUTOR_THREADS = 4;
    /** Calls that may wait for a thread before more fail at once: {@value}. */
    public static final int DEFAULT_QUEUE_CAPACITY = 64;

    private String name;
    private String connectionString;
    private ConnectionString parsedConnectionString;
    private MongoClient client;
    private String database;
    private String collection;
    private Duration callTimeout;
    private Duration serverSelectionTimeout;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration poolWaitTimeout;
    private ReadPreference readPreference;
    private int executorThreads;
    private int queueCapacity;
    private Consumer<MongoClientSettings.Builder> clientSettings;

    private Builder() {}

    /** The store's name; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      checkUnset("name", this.name, name);
      this.name = notBlank("name", name);
      return this;
    }

    /**
     * Builds a client from this MongoDB connection string; it is closed with the store. The string is
     * never logged or shown: messages name the hosts only.
     *
     * @throws IllegalArgumentException if it is not a valid connection string (the message hides its
     *     credentials)
     */
    public Builder connectionString(String uri) {
      Objects.requireNonNull(uri, "connectionString");
      if (this.connectionString != null) {
        throw new IllegalStateException("connectionString was already set");
      }
      if (client != null) {
        throw new IllegalStateException("connectionString cannot be combined with client(...)");
      }
      this.parsedConnectionString = parseConnectionString(uri);
      this.connectionString = uri;
      return this;
    }

    /** Uses a client the application already has; the store never closes it and never changes its settings. */
    public Builder client(MongoClient client) {
      Objects.requireNonNull(client, "client");
      if (this.client != null) {
        throw new IllegalStateException("client was already set");
      }
      if (connectionString != null) {
        throw new IllegalStateException("client cannot be combined with connectionString(...)");
      }
      this.client = client;
      return this;
    }

    /** The database; default the connection string's, else {@value #DEFAULT_DATABASE}. */
    public Builder database(String database) {
      checkUnset("database", this.database, database);
      this.database = notBlank("database", database);
      return this;
    }

    /** The collection of flag documents; default {@value #DEFAULT_COLLECTION}. */
    public Builder collection(String collection) {
      checkUnset("collection", this.collection, collection);
      notBlank("collection", collection);
      if (collection.indexOf('\0') >= 0 || collection.startsWith("$")) {
        throw new IllegalArgumentException("collection must not start with '$' or hold NUL, was '" + collection + "'");
      }
      this.collection = collection;
      return this;
    }

    /** How long the flag client waits for one call; default 2 s ({@link #DEFAULT_CALL_TIMEOUT}). */
    public Builder callTimeout(Duration timeout) {
      checkUnset("callTimeout", this.callTimeout, timeout);
      this.callTimeout = positive("callTimeout", timeout);
      return this;
    }

    /** A built client's server selection timeout; default {@value #DEFAULT_SERVER_SELECTION_TIMEOUT_MS} ms. */
    public Builder serverSelectionTimeout(Duration timeout) {
      checkUnset("serverSelectionTimeout", this.serverSelectionTimeout, timeout);
      this.serverSelectionTimeout = positive("serverSelectionTimeout", timeout);
      return this;
    }

    /** A built client's connect timeout; default {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms. */
    public Builder connectTimeout(Duration timeout) {
      checkUnset("connectTimeout", this.connectTimeout, timeout);
      this.connectTimeout = intMillis("connectTimeout", positive("connectTimeout", timeout));
      return this;
    }

    /** A built client's socket read timeout; default {@value #DEFAULT_READ_TIMEOUT_MS} ms. */
    public Builder readTimeout(Duration timeout) {
      checkUnset("readTimeout", this.readTimeout, timeout);
      this.readTimeout = intMillis("readTimeout", positive("readTimeout", timeout));
      return this;
    }

    /** How long a built client waits for a pooled connection; default {@value #DEFAULT_POOL_WAIT_TIMEOUT_MS} ms. */
    public Builder poolWaitTimeout(Duration timeout) {
      checkUnset("poolWaitTimeout", this.poolWaitTimeout, timeout);
      this.poolWaitTimeout = positive("poolWaitTimeout", timeout);
      return this;
    }

    /**
     * Which replica-set members serve reads, for built and supplied clients alike; default
     * {@code primaryPreferred} ({@link #DEFAULT_READ_PREFERENCE}). {@code secondaryPreferred} spares the
     * primary at the cost of replication lag.
     */
    public Builder readPreference(ReadPreference readPreference) {
      Objects.requireNonNull(readPreference, "readPreference");
      if (this.readPreference != null) {
        throw new IllegalStateException("readPreference was already set to " + this.readPreference.getName());
      }
      this.readPreference = readPreference;
      return this;
    }

    /** Threads running the driver, 1 to 256; default {@value #DEFAULT_EXECUTOR_THREADS}. */
    public Builder executorThreads(int threads) {
      this.executorThreads = inRange("executorThreads", this.executorThreads, threads, 1, 256);
      return this;
    }

    /** Calls that may wait for a thread, 1 to 100,000; default {@value #DEFAULT_QUEUE_CAPACITY}. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = inRange("queueCapacity", this.queueCapacity, capacity, 1, 100_000);
      return this;
    }

    /**
     * Adjusts the settings of the client built from the connection string (TLS, listeners, ...), after
     * this builder's timeouts are applied, so it may also override them. Not used with {@link #client}.
     */
    public Builder clientSettings(Consumer<MongoClientSettings.Builder> customizer) {
      Objects.requireNonNull(customizer, "clientSettings");
      if (this.clientSettings != null) {
        throw new IllegalStateException("clientSettings was already set");
      }
      this.clientSettings = customizer;
      return this;
    }

    /**
     * The store. A store with a connection string creates its client (and its monitoring threads) now;
     * it does not wait for a server, so building succeeds while the database is down.
     *
     * @throws IllegalStateException if neither or both of connectionString and client were set, or
     *     clientSettings was set with a client
     */
    public MongoFlagStore build() {
      if (connectionString == null && client == null) {
        throw new IllegalStateException("either connectionString(...) or client(...) must be set");
      }
      if (client != null && clientSettings != null) {
        throw new IllegalStateException("clientSettings applies only to a client built from connectionString(...)");
      }
      return new MongoFlagStore(new StoreSettings(
          name != null ? name : DEFAULT_NAME,
          connectionString, parsedConnectionString, client, database,
          collection != null ? collection : DEFAULT_COLLECTION,
          callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT,
          orMillis(serverSelectionTimeout, DEFAULT_SERVER_SELECTION_TIMEOUT_MS),
          orMillis(connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS),
          orMillis(readTimeout, DEFAULT_READ_TIMEOUT_MS),
          orMillis(poolWaitTimeout, DEFAULT_POOL_WAIT_TIMEOUT_MS),
          readPreference != null ? readPreference : DEFAULT_READ_PREFERENCE,
          executorThreads != 0 ? executorThreads : DEFAULT_EXECUTOR_THREADS,
          queueCapacity != 0 ? queueCapacity : DEFAULT_QUEUE_CAPACITY,
          clientSettings));
    }

    private static Duration orMillis(Duration value, long defaultMillis) {
      return value != null ? value : Duration.ofMillis(defaultMillis);
    }

    /** Never shows the connection string, even if asked. */
    @Override
    public String toString() {
      return "MongoFlagStore.Builder{" + (client != null ? "client" : connectionString != null ? "connectionString" : "unset") + '}';
    }
  }
}
