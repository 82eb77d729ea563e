package dev.flagstack.store.jdbc;

import static org.assertj.core.api.Assertions.fail;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import dev.flagstack.testservers.PostgresServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared test helpers over one PostgreSQL server: a login role the stores use (with a password, so the
 * server really checks it), tables made from the shipped schema, rows, and stores reading them. Drops
 * what it created.
 */
final class PgFixture {
  static final String READER = "flagstack_test_reader";
  static final String READER_PASSWORD = "Rd3r-pw%'quote";

  private static final AtomicInteger TABLES = new AtomicInteger();

  private final PostgresServerExtension pg;
  private final String prefix = "flagstack_t_" + UUID.randomUUID().toString().substring(0, 8) + "_";
  private final List<String> created = new ArrayList<>();
  private final List<String> views = new ArrayList<>();
  private final java.util.Set<String> laxTables = new java.util.HashSet<>();
  private final List<JdbcFlagStore> stores = new ArrayList<>();

  PgFixture(PostgresServerExtension pg) {
    this.pg = pg;
  }

  /** Creates (or resets the password of) the reader role. */
  void createReaderRole() {
    String pw = READER_PASSWORD.replace("'", "''");
    pg.execute("DO $$ BEGIN CREATE ROLE " + READER + " LOGIN PASSWORD '" + pw + "'; "
        + "EXCEPTION WHEN duplicate_object THEN ALTER ROLE " + READER + " LOGIN PASSWORD '" + pw + "'; END $$");
  }

  /** A new table made by the shipped schema.sql, readable by the reader role. */
  String newFlagsTable() {
    String table = prefix + TABLES.incrementAndGet();
    pg.execute(schemaSql().replace("flagstack_flags", table), "GRANT SELECT ON " + table + " TO " + READER);
    created.add(table);
    return table;
  }

  /** A new table whose columns are all plain text, with no key and no checks: any row can be written. */
  String newLaxTable() {
    String table = prefix + TABLES.incrementAndGet();
    pg.execute("CREATE TABLE " + table + " (flag_key text, value_type text, default_value text, overrides text, "
        + "rollout_basis_points text, rollout_value text)", "GRANT SELECT ON " + table + " TO " + READER);
    created.add(table);
    laxTables.add(table);
    return table;
  }

  /** Remembers a table created by a test, to drop it later. */
  String trackTable(String table) {
    created.add(table);
    return table;
  }

  /** Remembers a view created by a test, to drop it later. */
  String trackView(String view) {
    views.add(view);
    return view;
  }

  String newName() {
    return prefix + TABLES.incrementAndGet();
  }

  static String schemaSql() {
    try (InputStream in = JdbcFlagStore.class.getResourceAsStream(JdbcFlagStore.SCHEMA_RESOURCE)) {
      if (in == null) {
        return fail("the schema resource is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code def} as an admin tool would: JSON from the core's writer, every cell a bound parameter. */
  void insert(String table, FlagDefinition def, String valueType) {
    String overrides = null;
    if (!def.overrides().isEmpty()) {
      StringBuilder json = new StringBuilder("{");
      def.overrides().forEach((entity, value) -> json.append(json.length() > 1 ? "," : "")
          .append(FlagValue.of(entity).toJson()).append(':').append(value.toJson()));
      overrides = json.append('}').toString();
    }
    insertRaw(table, def.key(), valueType, def.defaultValue().toJson(), overrides,
        def.rollout() == null ? null : Integer.toString(def.rollout().basisPoints()),
        def.rollout() == null ? null : def.rollout().value().toJson());
  }

  /** Inserts one row of text cells (cast to the column types of a schema table); null is SQL NULL. */
  void insertRaw(String table, String key, String valueType, String defaultValue, String overrides,
      String basisPoints, String rolloutValue) {
    String values = laxTables.contains(table) ? "(?, ?, ?, ?, ?, ?)" : "(?, ?, ?::json, ?::json, ?::integer, ?::json)";
    String sql = "INSERT INTO " + table + " (flag_key, value_type, default_value, overrides, rollout_basis_points, "
        + "rollout_value) VALUES " + values;
    try (Connection c = pg.adminConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      String[] cells = {key, valueType, defaultValue, overrides, basisPoints, rolloutValue};
      for (int i = 0; i < cells.length; i++) {
        if (cells[i] == null) {
          ps.setNull(i + 1, Types.VARCHAR);
        } else {
          ps.setString(i + 1, cells[i]);
        }
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("insert failed: " + e.getMessage(), e);
    }
  }

  /** A builder for a store that logs in as the reader role through its own pool, under a name of its own. */
  JdbcFlagStore.Builder readerStore(String table) {
    return JdbcFlagStore.builder().name(newName()).jdbcUrl(pg.jdbcUrl()).username(READER).password(READER_PASSWORD)
        .table(table);
  }

  /**
   * A store over {@code table} whose pool has made its first connection: the pool connects in the
   * background, and on a loaded machine the first SCRAM login of a cold JVM can take longer than the
   * 250 ms pool wait.
   */
  JdbcFlagStore readyStore(String table) throws Exception {
    return awaitConnected(track(readerStore(table).build()));
  }

  /**
   * A ready store with timeouts far above the defaults, for tests about what is read rather than how
   * long it may take: on a loaded machine the default 700 ms read timeout can pass during a busy test.
   */
  JdbcFlagStore patientStore(String table) throws Exception {
    return awaitConnected(track(readerStore(table).callTimeout(Duration.ofSeconds(20))
        .poolWaitTimeout(Duration.ofSeconds(5)).queryTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(15)).build()));
  }

  /**
   * Waits (at most 30 s) until the pool of {@code store} holds a connection, seen by the server as a
   * session whose application name is {@code flagstack-<store name>}; returns the store.
   */
  JdbcFlagStore awaitConnected(JdbcFlagStore store) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sessions("flagstack-" + store.name()) == 0) {
      if (System.nanoTime() > deadline) {
        return fail("the pool of " + store + " made no connection in 30 s");
      }
      Thread.sleep(20);
    }
    return store;
  }

  /** How many sessions the server has with this application name. */
  int sessions(String applicationName) throws SQLException {
    return backendPids(applicationName).size();
  }

  /** The server process ids of the sessions with this application name. */
  java.util.Set<Integer> backendPids(String applicationName) throws SQLException {
    java.util.Set<Integer> pids = new java.util.HashSet<>();
    try (Connection c = pg.adminConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
    }
    return pids;
  }

  /** Reads until {@code store} answers (at most 30 s), then returns it. */
  static JdbcFlagStore warm(JdbcFlagStore store) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        await(store.getDefinitions(java.util.Set.of("warm-up")));
        return store;
      } catch (ExecutionException e) {
        if (!dev.flagstack.spi.StoreException.isTransient(e.getCause()) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  /** Closes {@code store} with the fixture. */
  JdbcFlagStore track(JdbcFlagStore store) {
    stores.add(store);
    return store;
  }

  /** Closes the tracked stores and drops what was created (when the server is up). */
  void close() {
    stores.forEach(JdbcFlagStore::close);
    stores.clear();
    if (!pg.isRunning()) {
      return;
    }
    for (String view : views) {
      pg.execute("DROP VIEW IF EXISTS " + view + " CASCADE");
    }
    for (String table : created) {
      pg.execute("DROP TABLE IF EXISTS " + table + " CASCADE");
    }
    views.clear();
    created.clear();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    return fail("expected the read to fail");
  }
}
