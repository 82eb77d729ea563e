package dev.flagstack.store.jdbc;

import static dev.flagstack.store.jdbc.PgFixture.await;
import static dev.flagstack.store.jdbc.PgFixture.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.PostgresServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the store fails against a real PostgreSQL server: classification, timeouts, a stopped server, a full queue. */
class JdbcFlagStoreFailureTest {
  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  private PgFixture fx;
  private String table;

  @BeforeEach
  void setUp() {
    fx = new PgFixture(pg);
    fx.createReaderRole();
    table = fx.newFlagsTable();
    fx.insertRaw(table, "f", null, "true", null, null, null);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private static Duration timed(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static Throwable failureWithin(CompletableFuture<?> future, Duration limit) throws Exception {
    long start = System.nanoTime();
    Throwable error = failureOf(future);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to fail").isLessThan(limit);
    return error;
  }

  /** A view over the flags table whose reading fails with {@code sqlState}, raised by the real server. */
  private String raisingView(String sqlState) {
    String fn = fx.newName() + "_raise";
    String view = fx.trackView(fx.newName());
    pg.execute("CREATE FUNCTION " + fn + "(code text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS "
            + "$$ BEGIN RAISE EXCEPTION 'raised by the test' USING ERRCODE = code; END $$",
        "CREATE VIEW " + view + " AS SELECT * FROM " + table + " WHERE " + fn + "('" + sqlState + "')",
        "GRANT SELECT ON " + view + " TO " + PgFixture.READER);
    return view;
  }

  /** A view over the flags table that sleeps {@code seconds} before answering. */
  private String sleepingView(double seconds) {
    String view = fx.trackView(fx.newName());
    pg.execute("CREATE VIEW " + view + " AS SELECT f.* FROM " + table + " f CROSS JOIN pg_sleep(" + seconds + ")",
        "GRANT SELECT ON " + view + " TO " + PgFixture.READER);
    return view;
  }

  // ---------------------------------------------------------------------------------------------
  // Classification by SQLSTATE, raised by the real server

  @ParameterizedTest(name = "SQLSTATE {0} is {1}")
  @CsvSource({
      "40001, UNAVAILABLE", // serialization_failure
      "40P01, UNAVAILABLE", // deadlock_detected
      "53300, UNAVAILABLE", // too_many_connections
      "53200, UNAVAILABLE", // out_of_memory
      "57014, UNAVAILABLE", // query_canceled
      "57P01, UNAVAILABLE", // admin_shutdown
      "08006, UNAVAILABLE", // connection_failure
      "55P03, UNAVAILABLE", // lock_not_available
      "XX000, UNAVAILABLE", // internal_error
      "42P01, REJECTED", // undefined_table
      "42501, REJECTED", // insufficient_privilege
      "42703, REJECTED", // undefined_column
      "3D000, REJECTED", // invalid_catalog_name
      "28P01, REJECTED", // invalid_password
      "22021, INVALID_REQUEST" // character_not_in_repertoire
  })
  void sqlStateDecidesWhetherAFailureIsTransient(String sqlState, FlagErrorKind expected) throws Exception {
    JdbcFlagStore store = fx.readyStore(raisingView(sqlState));
    Throwable error = failureOf(store.getDefinitions(Set.of("f")));
    assertThat(error).isInstanceOf(StoreException.class).hasMessageContaining("[SQLSTATE " + sqlState + "]");
    assertThat(((StoreException) error).errorKind()).isEqualTo(expected);
    assertThat(StoreException.isTransient(error)).isEqualTo(expected == FlagErrorKind.UNAVAILABLE);
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration errors: real missing table, permission, column

  @Test
  void missingTableIsARejectedConfigurationErrorLoggedOnceAtError() throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JdbcFlagStore store = fx.readyStore("flagstack_no_such_table");
      for (int i = 0; i < 3; i++) {
        errors.add(failureOf(store.getDefinitions(Set.of("f"))));
      }
    } finally {
      System.setErr(originalErr);
    }
    assertThat(errors).hasSize(3).allSatisfy(e -> assertThat(e)
        .hasMessageContaining("cannot read table flagstack_no_such_table")
        .hasMessageContaining("[SQLSTATE 42P01]")
        .satisfies(x -> assertThat(((StoreException) x).errorKind()).isEqualTo(FlagErrorKind.REJECTED)));
    String log = captured.toString(StandardCharsets.UTF_8);
    long errorLines = log.lines().filter(l -> l.contains("] ERROR ") && l.contains("flagstack_no_such_table")).count();
    assertThat(errorLines).as(log).isEqualTo(1);
  }

  @Test
  void roleWithoutSelectIsRejectedAsPermissionDenied() throws Exception {
    pg.execute("REVOKE SELECT ON " + table + " FROM " + PgFixture.READER);
    JdbcFlagStore store = fx.readyStore(table);
    Throwable error = failureOf(store.getDefinitions(Set.of("f")));
    assertThat(error).hasMessageContaining("[SQLSTATE 42501]").hasMessageContaining("permission denied");
    assertThat(StoreException.isTransient(error)).isFalse();
  }

  @Test
  void tableWithoutTheDocumentedColumnsIsRejected() throws Exception {
    String other = fx.newName();
    pg.execute("CREATE TABLE " + other + " (flag_key text PRIMARY KEY, value jsonb)",
        "GRANT SELECT ON " + other + " TO " + PgFixture.READER);
    fx.trackTable(other);
    JdbcFlagStore store = fx.readyStore(other);
    Throwable error = failureOf(store.getDefinitions(Set.of("f")));
    assertThat(error).hasMessageContaining("[SQLSTATE 42703]");
    assertThat(StoreException.isTransient(error)).isFalse();
  }

  @Test
  void missingTableNeverTripsTheBreakerNorFallsBack() throws Exception {
    InMemoryFlagStore secondary = new InMemoryFlagStore("backup").put("f", FlagValue.TRUE);
    JdbcFlagStore store = fx.readyStore("flagstack_no_such_table");
    try (FlagClient client = FlagClient.builder().primary(store).secondary(secondary).lastKnownGood(false).build()) {
      for (int i = 0; i < 8; i++) {
        assertThatThrownBy(() -> client.getFlag("e", "f"))
            .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.errorKind()).isEqualTo(FlagErrorKind.REJECTED))
            .hasMessageContaining("42P01");
      }
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
      assertThat(secondary.calls()).isZero();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Time limits

  @Test
  void slowQueryIsCancelledAtTheQueryTimeoutAndTheConnectionIsReused() throws Exception {
    String slow = sleepingView(5);
    JdbcFlagStore store = fx.awaitConnected(fx.track(fx.readerStore(slow).executorThreads(1).build()));
    Set<Integer> before = fx.backendPids("flagstack-" + store.name());
    Throwable error = failureWithin(store.getDefinitions(Set.of("f")).toCompletableFuture(), Duration.ofMillis(2_500));
    assertThat(error).hasMessageContaining("[SQLSTATE 57014]");
    assertThat(StoreException.isTransient(error)).isTrue();
    // The cancelled statement left its (only) connection usable: the next read on it succeeds.
    assertThat(await(store.getDefinitions(Set.of("not-there")))).isEmpty();
    assertThat(fx.backendPids("flagstack-" + store.name())).hasSize(1).isEqualTo(before);
  }

  @Test
  void serverSilentMidQueryFailsTransientlyAtTheReadTimeout() throws Exception {
    String slow = sleepingView(5);
    JdbcFlagStore store = fx.awaitConnected(fx.track(fx.readerStore(slow)
        .queryTimeout(Duration.ofSeconds(30)).readTimeout(Duration.ofMillis(300)).build()));
    Throwable error = failureWithin(store.getDefinitions(Set.of("f")).toCompletableFuture(), Duration.ofMillis(2_500));
    assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
    assertThat(error).hasMessageContaining("failed");
  }

  @Test
  void poolExhaustedBySlowQueriesFailsTransientlyAfterABoundedWait() throws Exception {
    try (CountingDataSource service = CountingDataSource.over(pg, PgFixture.READER, PgFixture.READER_PASSWORD, 2)) {
      JdbcFlagStore store = PgFixture.warm(fx.track(JdbcFlagStore.builder().dataSource(service.dataSource())
          .table(table).build()));
      CountDownLatch busy = new CountDownLatch(2);
      List<Thread> sleepers = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 2; i++) {
        Thread t = new Thread(() -> {
          try (Connection c = service.pool().getConnection(); Statement s = c.createStatement()) {
            busy.countDown();
            s.execute("SELECT pg_sleep(2)");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        t.start();
        sleepers.add(t);
      }
      assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

      Throwable error = failureWithin(store.getDefinitions(Set.of("f")).toCompletableFuture(), Duration.ofMillis(2_000));
      assertThat(StoreException.isTransient(error)).isTrue();
      assertThat(error).hasMessageContaining("Connection is not available");

      for (Thread t : sleepers) {
        t.join(10_000);
      }
      assertThat(await(store.getDefinitions(Set.of("f")))).containsKey("f");
    }
  }

  @Test
  void serverThatAcceptsAndNeverAnswersIsATransientFailureInBoundedTime() throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(blackHole.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (JdbcFlagStore silent = JdbcFlagStore.builder()
          .jdbcUrl("jdbc:postgresql://127.0.0.1:" + blackHole.getLocalPort() + "/postgres")
          .username("u").password("p").build()) {
        for (int i = 0; i < 2; i++) {
          Throwable error = failureWithin(silent.getDefinitions(Set.of("f")).toCompletableFuture(),
              silent.callTimeout().plusMillis(500));
          assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
        }
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void stoppedServerIsATransientFailureInBoundedTimeAndReadsRecoverAfterRestart() throws Exception {
    assumeTrue(pg.canStop(), "the server from the environment cannot be stopped");
    JdbcFlagStore store = fx.readyStore(table);
    assertThat(await(store.getDefinitions(Set.of("f")))).containsKey("f");
    pg.stop();
    try {
      for (int attempt = 0; attempt < 4; attempt++) { // a pooled connection first, then new connections
        Throwable error = failureWithin(store.getDefinitions(Set.of("f")).toCompletableFuture(), Duration.ofMillis(2_000));
        assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
        assertThat(error.getMessage()).startsWith("postgres store '" + store.name() + "' failed: ")
            .doesNotContain(PgFixture.READER_PASSWORD);
      }
    } finally {
      pg.restart();
    }
    assertThat(await(PgFixture.warm(store).getDefinitions(Set.of("f")))).containsKey("f");
  }

  // ---------------------------------------------------------------------------------------------
  // Threads and lifecycle

  @Test
  void fullQueueFailsTransientlyAtOnceAndJdbcRunsOnTheStoresThreads() throws Exception {
    try (CountingDataSource service = CountingDataSource.over(pg, PgFixture.READER, PgFixture.READER_PASSWORD)) {
      JdbcFlagStore store = fx.track(JdbcFlagStore.builder().dataSource(service.dataSource()).table(table)
          .name("gated").executorThreads(1).queueCapacity(1).build());
      PgFixture.warm(store);
      service.reset();
      service.closeGate();
      CompletableFuture<Map<String, dev.flagstack.FlagDefinition>> running =
          store.getDefinitions(Set.of("f")).toCompletableFuture();
      assertThat(service.awaitEntered()).isTrue();
      CompletableFuture<Map<String, dev.flagstack.FlagDefinition>> queued =
          store.getDefinitions(Set.of("f")).toCompletableFuture();
      CompletableFuture<?>[] rejected = new CompletableFuture<?>[1];
      Duration took = timed(() -> rejected[0] = store.getDefinitions(Set.of("f")).toCompletableFuture());

      assertThat(took).isLessThan(Duration.ofMillis(200));
      assertThat(running).isNotDone();
      assertThat(queued).isNotDone();
      Throwable error = failureOf(rejected[0]);
      assertThat(error).hasMessageContaining("queue is full");
      assertThat(StoreException.isTransient(error)).isTrue();
      assertThat(service.threads()).allSatisfy(t -> assertThat(t).startsWith("flagstack-jdbc-gated-"));

      service.open();
      assertThat(await(running)).containsKey("f");
      assertThat(await(queued)).containsKey("f");
    }
  }

  @Test
  void closingFailsInFlightQueuedAndLaterCallsTransiently() throws Exception {
    try (CountingDataSource service = CountingDataSource.over(pg, PgFixture.READER, PgFixture.READER_PASSWORD)) {
      JdbcFlagStore store = JdbcFlagStore.builder().dataSource(service.dataSource()).table(table)
          .executorThreads(1).build();
      service.closeGate();
      CompletableFuture<?> running = store.getDefinitions(Set.of("f")).toCompletableFuture();
      assertThat(service.awaitEntered()).isTrue();
      CompletableFuture<?> queued = store.getDefinitions(Set.of("f")).toCompletableFuture();

      store.close();
      store.close(); // idempotent

      for (CompletableFuture<?> f : List.of(running, queued, store.getDefinitions(Set.of("f")).toCompletableFuture())) {
        Throwable error = failureOf(f);
        assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
        assertThat(error).hasMessageContaining("closed");
      }
      service.open();
      assertThat(service.pool().isClosed()).as("a supplied pool is not the store's to close").isFalse();
    }
  }

  @Test
  void callsNeverBlockTheCallerEvenWhenTheDatabaseIsSlow() throws Exception {
    String slow = sleepingView(1);
    JdbcFlagStore store = fx.awaitConnected(fx.track(fx.readerStore(slow).queryTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5)).build()));
    CompletableFuture<?>[] call = new CompletableFuture<?>[1];
    Duration took = timed(() -> call[0] = store.getDefinitions(Set.of("f")).toCompletableFuture());
    assertThat(took).isLessThan(Duration.ofMillis(200));
    assertThat(call[0]).isNotDone();
    try {
      assertThat(call[0].get(10, TimeUnit.SECONDS)).isNotNull();
    } catch (ExecutionException e) {
      throw new AssertionError("the slow read should succeed", e);
    }
  }
}
