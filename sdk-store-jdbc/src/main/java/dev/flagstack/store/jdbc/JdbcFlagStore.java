package dev.flagstack.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.flagstack.FlagDefinition;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.jdbc.internal.DefinitionQuery;
import dev.flagstack.store.jdbc.internal.DefinitionReader;
import dev.flagstack.store.jdbc.internal.FailureReporter;
import dev.flagstack.store.jdbc.internal.OwnedPool;
import dev.flagstack.store.jdbc.internal.Secrets;
import dev.flagstack.store.jdbc.internal.StoreExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only {@link FlagDefinitionStore} over a PostgreSQL table of flag definitions, usable as the
 * primary store (the database read directly) or the secondary (read when the flags API is down). Each
 * definition is evaluated with {@link FlagDefinition#evaluate(String)}, so a PostgreSQL primary and a
 * MongoDB secondary holding the same definitions answer alike for every entity.
 *
 * <pre>{@code
 * JdbcFlagStore store = JdbcFlagStore.builder()
 *     .jdbcUrl("jdbc:postgresql://db1:5432/app")      // or .dataSource(yourHikariPool)
 *     .username("flags_reader")
 *     .password(secret)
 *     .build();
 * }</pre>
 *
 * <h2>Schema</h2>
 * One row per flag in {@value Builder#DEFAULT_TABLE}, created by the SQL in the resource
 * {@value #SCHEMA_RESOURCE}: {@code flag_key} (text, the primary key), {@code value_type} (optional:
 * boolean, string, long, double, json), {@code default_value} (JSON), {@code overrides} (optional JSON
 * object {@code {"<entity>": <value>}}), {@code rollout_basis_points} (optional, 0 to 10,000) with
 * {@code rollout_value} (JSON: {@code json} or {@code text}; {@code jsonb} rewrites numbers, see the schema). This is the
 * model of the MongoDB store's documents: the same types (a JSON integer is a LONG, any other number a
 * DOUBLE; with {@code value_type = 'double'} integers are read as doubles), one type per flag (LONG and
 * DOUBLE may mix), and {@code rollout_basis_points} = {@link dev.flagstack.Rollout#basisPoints()}, the
 * MongoDB percentage times 100.
 *
 * <h2>Reads</h2>
 * <ul>
 *   <li>One query per batch, {@code WHERE flag_key = ANY(?)} with the ids bound as one array parameter:
 *       ids are data, never SQL, whatever they contain. A flag with no row is absent from the result.
 *   <li>A requested flag whose row breaks the schema fails the <em>whole batch</em> with the
 *       non-transient {@link StoreException#rejected} {@code "flag 'x' has an invalid definition: ..."},
 *       naming the first bad flag in key order. Rows of flags not asked for are never read.
 *   <li>A missing table, column, schema or database, or a role without SELECT (SQLSTATE classes 42, 3D,
 *       3F), and refused credentials (class 28) are non-transient {@code REJECTED} errors, logged at ERROR
 *       once per SQLSTATE. Class 22 (an id the database encoding cannot hold) is an invalid request.
 *       Everything else, notably classes 08, 40, 53, 57, timeouts, a full queue and a closed store, is a
 *       transient {@link StoreException}. Messages never contain the password.
 * </ul>
 *
 * <h2>Threads and time</h2>
 * {@link #getDefinitions} never blocks: JDBC runs on {@link Builder#executorThreads} daemon threads owned by
 * this store, behind a queue of {@link Builder#queueCapacity} calls (when full, calls fail transiently at
 * once); stages complete on those threads. A call waits at most {@link Builder#poolWaitTimeout} for a
 * connection of the store's own pool, has the server cancel the query after {@link Builder#queryTimeout}
 * and stops reading after {@link Builder#readTimeout}: under the 1 s {@link #callTimeout()}. A
 * {@link DataSource} you pass in keeps its own connection wait (HikariCP's default is 30 s): shorten it.
 * Thread-safe and immutable. {@link #close()} stops the threads (queued calls fail transiently) and closes
 * the pool only if this store built it.
 */
public final class JdbcFlagStore implements FlagDefinitionStore {
  /** The class-path resource holding the table's SQL: {@value}. */
  public static final String SCHEMA_RESOURCE = "/dev/flagstack/store/jdbc/schema.sql";

  private static final Logger log = LoggerFactory.getLogger(JdbcFlagStore.class);

  private final String name;
  private final Duration callTimeout;
  private final HikariDataSource ownedPool;
  private final DefinitionReader reader;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcFlagStore(Builder b) {
    this.name = b.name;
    this.callTimeout = b.callTimeout;
    Secrets secrets = Secrets.of(b.jdbcUrl, b.password);
    DataSource dataSource;
    String where;
    if (b.dataSource != null) {
      dataSource = b.dataSource;
      this.ownedPool = null;
      where = "dataSource=" + b.dataSource.getClass().getSimpleName();
    } else {
      this.ownedPool = OwnedPool.create(name, b.jdbcUrl, b.username, b.password, b.executorThreads,
          b.poolWaitTimeout, b.connectTimeout, secrets);
      dataSource = ownedPool;
      where = "url=" + secrets.redact(Secrets.describeUrl(b.jdbcUrl));
    }
    this.reader = new DefinitionReader(dataSource, new DefinitionQuery(b.table, b.queryTimeout, b.readTimeout),
        new StoreExecutor(name, b.executorThreads, b.queueCapacity), new FailureReporter(name, b.table, secrets));
    this.description = "JdbcFlagStore{name=" + name + ", " + where + ", table=" + b.table
        + ", ownsPool=" + (ownedPool != null) + '}';
    log.debug("created {}", description);
  }

  /** A builder with every default; set {@link Builder#jdbcUrl} or {@link Builder#dataSource}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The call timeout, {@link FlagStore#DEFAULT_CALL_TIMEOUT} (1 s) unless set. */
  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * The definitions of {@code flags} found in the table, in one query, on the store's threads. The stage
   * fails with a {@link StoreException}: non-transient for a bad row, a configuration problem, refused
   * credentials or an id the database cannot hold; transient otherwise.
   */
  @Override
  public CompletionStage<Map<String, FlagDefinition>> getDefinitions(Set<String> flags) {
    return reader.read(flags);
  }

  /** Stops the store's threads and closes the pool if this store built it. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      reader.close();
      if (ownedPool != null) {
        ownedPool.close();
      }
    }
  }

  /** The name, host, database and table; never a password or a URL's query string. */
  @Override
  public String toString() {
    return description;
  }

  /**
   * Builds a {@link JdbcFlagStore}. Exactly one of {@link #jdbcUrl} and {@link #dataSource} is required.
   * Setters validate at once and name the option and the bad value; setting an option twice is an
   * {@link IllegalStateException}, a bad value an {@link IllegalArgumentException}. Not thread-safe.
   */
  public static final class Builder {
    /** The store's name in logs, events and errors: {@value}. */
    public static final String DEFAULT_NAME = "postgres";
    /** The table of flag rows: {@value}, found through the role's search path. */
    public static final String DEFAULT_TABLE = "flagstack_flags";
    /** The call timeout: 1 s, the SPI's default ({@link FlagStore#DEFAULT_CALL_TIMEOUT}). */
    public static final Duration DEFAULT_CALL_TIMEOUT = FlagStore.DEFAULT_CALL_TIMEOUT;
    /** How long a call waits for a connection of the store's own pool: {@value} ms (HikariCP's minimum). */
    public static final long DEFAULT_POOL_WAIT_TIMEOUT_MS = OwnedPool.HIKARI_MIN_TIMEOUT_MS;
    /** After this the server is asked to cancel the query (SQLSTATE 57014, transient): {@value} ms. */
    public static final long DEFAULT_QUERY_TIMEOUT_MS = 500;
    /** The socket read deadline while a query runs, for a server that never answers: {@value} ms. */
    public static final long DEFAULT_READ_TIMEOUT_MS = 700;
    /** The TCP connect timeout of the store's own pool: {@value} s (the driver counts whole seconds). */
    public static final long DEFAULT_CONNECT_TIMEOUT_SECONDS = 1;
    /** Threads running JDBC, and the size of the store's own pool: {@value}. */
    public static final int DEFAULT_EXECUTOR_THREADS = 4;
    /** Calls that may wait for a thread before more fail at once: {@value}. */
    public static final int DEFAULT_QUEUE_CAPACITY = 64;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private String name;
    private String jdbcUrl;
    private String username;
    private String password;
    private DataSource dataSource;
    private String table;
    private Duration callTimeout;
    private Duration poolWaitTimeout;
    private Duration connectTimeout;
    private Duration queryTimeout;
    private Duration readTimeout;
    private int executorThreads;
    private int queueCapacity;

    private Builder() {}

    /** The store's name; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      checkUnset("name", this.name, name);
      this.name = notBlank("name", name);
      return this;
    }

    /**
     * Builds a pool of {@link #executorThreads} connections from this PostgreSQL JDBC URL, such as
     * {@code jdbc:postgresql://db1:5432/app?sslmode=verify-full}; it is closed with the store. Prefer
     * {@link #password} to a {@code password} parameter; either way the URL is never logged or shown
     * beyond its host and database.
     *
     * @throws IllegalArgumentException if it is not a PostgreSQL JDBC URL (the message hides its secrets)
     */
    public Builder jdbcUrl(String url) {
      Objects.requireNonNull(url, "jdbcUrl");
      if (this.jdbcUrl != null) {
        throw new IllegalStateException("jdbcUrl was already set");
      }
      if (dataSource != null) {
        throw new IllegalStateException("jdbcUrl cannot be combined with dataSource(...)");
      }
      if (!url.startsWith("jdbc:postgresql:") || Driver.parseURL(url, null) == null) {
        throw new IllegalArgumentException("jdbcUrl must be a valid PostgreSQL JDBC URL such as "
            + "jdbc:postgresql://host:5432/database, was " + Secrets.of(url, null).redact(Secrets.describeUrl(url)));
      }
      this.jdbcUrl = url;
      return this;
    }

    /** The role the store's own pool logs in as (with {@link #jdbcUrl} only); default the URL's or the driver's. */
    public Builder username(String username) {
      checkUnset("username", this.username, username);
      this.username = notBlank("username", username);
      return this;
    }

    /** That role's password (with {@link #jdbcUrl} only); never logged, shown or put in an exception. */
    public Builder password(String password) {
      Objects.requireNonNull(password, "password");
      if (this.password != null) {
        throw new IllegalStateException("password was already set");
      }
      this.password = password;
      return this;
    }

    /**
     * Uses a pool the application already has, such as its HikariCP pool; the store never closes it and
     * never changes its settings (a borrowed connection's network timeout is restored before it is
     * returned). Give that pool a short connection timeout: the store cannot shorten its wait.
     */
    public Builder dataSource(DataSource dataSource) {
      Objects.requireNonNull(dataSource, "dataSource");
      if (this.dataSource != null) {
        throw new IllegalStateException("dataSource was already set");
      }
      if (jdbcUrl != null) {
        throw new IllegalStateException("dataSource cannot be combined with jdbcUrl(...)");
      }
      this.dataSource = dataSource;
      return this;
    }

    /**
     * The table, {@code name} or {@code schema.name}, each an unquoted SQL identifier (letters, digits,
     * {@code _}, at most 63 characters), used exactly as written; default {@value #DEFAULT_TABLE}.
     */
    public Builder table(String table) {
      checkUnset("table", this.table, table);
      String[] parts = table.split("\\.", -1);
      if (parts.length > 2 || !java.util.Arrays.stream(parts).allMatch(p -> IDENTIFIER.matcher(p).matches())) {
        throw new IllegalArgumentException("table must be name or schema.name, each made of letters, digits "
            + "and _ (not starting with a digit, at most 63), was '" + table + "'");
      }
      this.table = table;
      return this;
    }

    /** How long the flag client waits for one call; default 1 s ({@link #DEFAULT_CALL_TIMEOUT}). */
    public Builder callTimeout(Duration timeout) {
      checkUnset("callTimeout", this.callTimeout, timeout);
      this.callTimeout = millis("callTimeout", timeout, 1);
      return this;
    }

    /** How long a call waits for a connection of the store's own pool; default {@value #DEFAULT_POOL_WAIT_TIMEOUT_MS} ms. */
    public Builder poolWaitTimeout(Duration timeout) {
      checkUnset("poolWaitTimeout", this.poolWaitTimeout, timeout);
      this.poolWaitTimeout = millis("poolWaitTimeout", timeout, OwnedPool.HIKARI_MIN_TIMEOUT_MS);
      return this;
    }

    /** The TCP connect timeout of the store's own pool, in whole seconds; default {@value #DEFAULT_CONNECT_TIMEOUT_SECONDS} s. */
    public Builder connectTimeout(Duration timeout) {
      checkUnset("connectTimeout", this.connectTimeout, timeout);
      if (timeout.isNegative() || timeout.isZero() || timeout.toNanos() % 1_000_000_000L != 0
          || timeout.getSeconds() > 3600) {
        throw new IllegalArgumentException("connectTimeout must be a whole number of seconds from 1 to 3600 "
            + "(the driver's unit), was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /** After this the server is asked to cancel the query; default {@value #DEFAULT_QUERY_TIMEOUT_MS} ms. */
    public Builder queryTimeout(Duration timeout) {
      checkUnset("queryTimeout", this.queryTimeout, timeout);
      this.queryTimeout = millis("queryTimeout", timeout, 1);
      return this;
    }

    /** The socket read deadline while a query runs; default {@value #DEFAULT_READ_TIMEOUT_MS} ms. */
    public Builder readTimeout(Duration timeout) {
      checkUnset("readTimeout", this.readTimeout, timeout);
      this.readTimeout = millis("readTimeout", timeout, 1);
      return this;
    }

    /** Threads running JDBC (and the size of the store's own pool), 1 to 256; default {@value #DEFAULT_EXECUTOR_THREADS}. */
    public Builder executorThreads(int threads) {
      this.executorThreads = intBetween("executorThreads", this.executorThreads, threads, 256);
      return this;
    }

    /** Calls that may wait for a thread, 1 to 100,000; default {@value #DEFAULT_QUEUE_CAPACITY}. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = intBetween("queueCapacity", this.queueCapacity, capacity, 100_000);
      return this;
    }

    /**
     * The store. With a JDBC URL this creates the store's pool, which connects in the background, so
     * building succeeds while the database is down.
     *
     * @throws IllegalStateException if neither or both of jdbcUrl and dataSource were set, or a setting of
     *     the store's own pool (username, password, poolWaitTimeout, connectTimeout) with a data source
     */
    public JdbcFlagStore build() {
      if (jdbcUrl == null && dataSource == null) {
        throw new IllegalStateException("either jdbcUrl(...) or dataSource(...) must be set");
      }
      if (dataSource != null && (username != null || password != null || poolWaitTimeout != null
          || connectTimeout != null)) {
        throw new IllegalStateException("username, password, poolWaitTimeout and connectTimeout apply only to "
            + "the pool built from jdbcUrl(...), not to a dataSource(...)");
      }
      Builder b = new Builder();
      b.name = name != null ? name : DEFAULT_NAME;
      b.jdbcUrl = jdbcUrl;
      b.username = username;
      b.password = password;
      b.dataSource = dataSource;
      b.table = table != null ? table : DEFAULT_TABLE;
      b.callTimeout = callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT;
      b.poolWaitTimeout = poolWaitTimeout != null ? poolWaitTimeout : Duration.ofMillis(DEFAULT_POOL_WAIT_TIMEOUT_MS);
      b.connectTimeout = connectTimeout != null ? connectTimeout : Duration.ofSeconds(DEFAULT_CONNECT_TIMEOUT_SECONDS);
      b.queryTimeout = queryTimeout != null ? queryTimeout : Duration.ofMillis(DEFAULT_QUERY_TIMEOUT_MS);
      b.readTimeout = readTimeout != null ? readTimeout : Duration.ofMillis(DEFAULT_READ_TIMEOUT_MS);
      b.executorThreads = executorThreads != 0 ? executorThreads : DEFAULT_EXECUTOR_THREADS;
      b.queueCapacity = queueCapacity != 0 ? queueCapacity : DEFAULT_QUEUE_CAPACITY;
      return new JdbcFlagStore(b);
    }

    /** Never shows the URL or the password. */
    @Override
    public String toString() {
      return "JdbcFlagStore.Builder{" + (dataSource != null ? "dataSource" : jdbcUrl != null ? "jdbcUrl" : "unset") + '}';
    }

    private static void checkUnset(String option, Object current, Object value) {
      Objects.requireNonNull(value, option);
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    private static int intBetween(String option, int current, int value, int max) {
      if (current != 0) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
      if (value < 1 || value > max) {
        throw new IllegalArgumentException(option + " must be between 1 and " + max + ", was " + value);
      }
      return value;
    }

    private static String notBlank(String option, String value) {
      if (value.isBlank()) {
        throw new IllegalArgumentException(option + " must not be blank, was '" + value + "'");
      }
      return value;
    }

    private static Duration millis(String option, Duration d, long minMillis) {
      if (d.compareTo(Duration.ofMillis(minMillis)) < 0 || d.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(option + " must be from " + minMillis + " ms to " + Integer.MAX_VALUE
            + " ms, was " + d);
      }
      return d;
    }
  }
}
