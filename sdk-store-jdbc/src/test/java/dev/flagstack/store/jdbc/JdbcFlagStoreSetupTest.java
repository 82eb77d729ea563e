package dev.flagstack.store.jdbc;

import static dev.flagstack.store.jdbc.PgFixture.await;
import static dev.flagstack.store.jdbc.PgFixture.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testservers.PostgresServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.PgConnection;

/** Building the store, its pool, what it owns, and its secrets. */
class JdbcFlagStoreSetupTest {
  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  private PgFixture fx;
  private String table;

  @BeforeEach
  void setUp() {
    fx = new PgFixture(pg);
    fx.createReaderRole();
    table = fx.newFlagsTable();
    fx.insertRaw(table, "f", null, "\"from postgres\"", null, null, null);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Credentials and secrets

  @Test
  void wrongPasswordIsRejectedNonTransientlyAndNeverShown() throws Exception {
    String wrong = "Wr0ng-" + PgFixture.READER_PASSWORD;
    JdbcFlagStore store = fx.track(JdbcFlagStore.builder().name(fx.newName()).jdbcUrl(pg.jdbcUrl())
        .username(PgFixture.READER).password(wrong).table(table).build());
    List<Throwable> errors = new ArrayList<>();
    // The pool logs in in the background: until its first attempt is refused, a wait times out transiently.
    for (int i = 0; i < 100 && (errors.isEmpty() || StoreException.isTransient(errors.get(errors.size() - 1))); i++) {
      errors.add(failureOf(store.getDefinitions(Set.of("f"))));
    }
    Throwable last = errors.get(errors.size() - 1);
    assertThat(((StoreException) last).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    assertThat(last).hasMessageContaining("was refused").hasMessageContaining("[SQLSTATE 28P01]")
        .hasMessageContaining("password authentication failed");
    assertThat(errors).allSatisfy(e -> assertNoSecret(e, wrong, PgFixture.READER_PASSWORD));
  }

  @Test
  void passwordNeverAppearsInToStringExceptionsOrLogs() throws Exception {
    String encoded = "Sup3r%40Secret-pw";
    String decoded = "Sup3r@Secret-pw";
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String host = pg.jdbcUrl().substring("jdbc:postgresql://".length(), pg.jdbcUrl().lastIndexOf('/'));
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<Throwable> errors = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String target : List.of(host, "127.0.0.1:" + closedPort)) {
        String url = "jdbc:postgresql://" + target + "/postgres?user=" + PgFixture.READER + "&password=" + encoded;
        JdbcFlagStore inUrl = fx.track(JdbcFlagStore.builder().name(fx.newName()).jdbcUrl(url).table(table).build());
        JdbcFlagStore viaSetter = fx.track(JdbcFlagStore.builder().name(fx.newName())
            .jdbcUrl("jdbc:postgresql://" + target + "/postgres").username(PgFixture.READER).password(decoded)
            .table(table).build());
        for (JdbcFlagStore store : List.of(inUrl, viaSetter)) {
          strings.add(store.toString());
          for (int i = 0; i < 5; i++) {
            errors.add(failureOf(store.getDefinitions(Set.of("f"))));
          }
        }
        strings.add(JdbcFlagStore.builder().jdbcUrl(url).toString());
      }
      try {
        JdbcFlagStore.builder().jdbcUrl("jdbc:postgresql://host:notaport/db?password=" + encoded);
      } catch (IllegalArgumentException e) {
        errors.add(e);
      }
    } finally {
      System.setErr(originalErr);
    }
    assertThat(errors).hasSize(21);
    assertThat(errors).allSatisfy(e -> assertNoSecret(e, encoded, decoded));
    assertThat(errors.get(20)).hasMessageContaining("jdbcUrl must be a valid PostgreSQL JDBC URL");
    assertThat(strings).allSatisfy(s -> assertThat(s).doesNotContain(encoded).doesNotContain(decoded)
        .doesNotContain("password"));
    assertThat(strings.get(0)).contains(host);
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).as("the captured log is not empty").contains("flagstack");
    assertThat(log).doesNotContain(encoded).doesNotContain(decoded);
  }

  private static void assertNoSecret(Throwable e, String... secrets) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (String secret : secrets) {
        assertThat(t.toString()).doesNotContain(secret);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ownership

  @Test
  void ownPoolIsClosedWithTheStore() throws Exception {
    JdbcFlagStore store = fx.readyStore(table);
    assertThat(await(store.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.of("from postgres"));
    String app = "flagstack-" + store.name();
    assertThat(fx.sessions(app)).isPositive();
    store.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (fx.sessions(app) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(fx.sessions(app)).isZero();
  }

  /**
   * A data source handing out one real connection again and again, its close() ignored: what the store
   * leaves on a borrowed connection is visible to the next borrower.
   */
  @Test
  void suppliedConnectionGoesBackAsItCameAndIsNotClosed() throws Exception {
    Properties props = new Properties();
    props.setProperty("user", PgFixture.READER);
    props.setProperty("password", PgFixture.READER_PASSWORD);
    try (Connection real = DriverManager.getConnection(pg.jdbcUrl(), props)) {
      real.setAutoCommit(false);
      real.setNetworkTimeout(Runnable::run, 12_345);
      Connection unclosable = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("close")) {
              return null;
            }
            try {
              return method.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      DataSource single = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) {
              return unclosable;
            }
            throw new UnsupportedOperationException(method.getName());
          });
      try (JdbcFlagStore store = JdbcFlagStore.builder().dataSource(single).table(table).build()) {
        assertThat(await(store.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.of("from postgres"));
        assertThat(store.toString()).contains("ownsPool=false");
      }
      assertThat(real.isClosed()).isFalse();
      assertThat(real.getNetworkTimeout()).isEqualTo(12_345);
      assertThat(real.getAutoCommit()).isFalse();
      assertThat(real.unwrap(PgConnection.class).getTransactionState()).isEqualTo(TransactionState.IDLE);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The shipped schema

  @Test
  void shippedSchemaRefusesRowsTheStoreWouldReject() {
    assertThatThrownBy(() -> fx.insertRaw(table, "bp", null, "true", null, "20000", "false"))
        .hasMessageContaining("check constraint");
    assertThatThrownBy(() -> fx.insertRaw(table, "half", null, "true", null, "100", null))
        .hasMessageContaining("flagstack_t_").hasMessageContaining("rollout_complete");
    assertThatThrownBy(() -> fx.insertRaw(table, "arr", null, "true", "[1]", null, null))
        .hasMessageContaining("check constraint");
    assertThatThrownBy(() -> fx.insertRaw(table, "nul", null, "null", null, null, null))
        .hasMessageContaining("check constraint");
    assertThatThrownBy(() -> fx.insertRaw(table, "json", null, "{oops", null, null, null))
        .hasMessageContaining("invalid input syntax for type json");
    assertThatThrownBy(() -> fx.insertRaw(table, "f", null, "true", null, null, null))
        .hasMessageContaining("duplicate key");
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  @Test
  void builderNamesTheOptionAndTheBadValue() {
    assertThatThrownBy(() -> JdbcFlagStore.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be from 1 ms to 2147483647 ms, was PT0S");
    assertThatThrownBy(() -> JdbcFlagStore.builder().poolWaitTimeout(Duration.ofMillis(100)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolWaitTimeout must be from 250 ms")
        .hasMessageContaining("PT0.1S");
    assertThatThrownBy(() -> JdbcFlagStore.builder().connectTimeout(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of seconds").hasMessageContaining("PT1.5S");
    assertThatThrownBy(() -> JdbcFlagStore.builder().executorThreads(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("executorThreads must be between 1 and 256, was 0");
    assertThatThrownBy(() -> JdbcFlagStore.builder().queueCapacity(-3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be between 1 and 100000, was -3");
    assertThatThrownBy(() -> JdbcFlagStore.builder().table("flags; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'flags; DROP TABLE x'");
    assertThatThrownBy(() -> JdbcFlagStore.builder().table("a.b.c"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a.b.c'");
    assertThatThrownBy(() -> JdbcFlagStore.builder().table("\"quoted\""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JdbcFlagStore.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("name was already set to a");
    assertThatThrownBy(() -> JdbcFlagStore.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jdbcUrl").hasMessageContaining("dataSource");
    assertThatThrownBy(() -> JdbcFlagStore.builder().jdbcUrl("jdbc:mysql://db/flags"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jdbcUrl must be a valid PostgreSQL JDBC URL");
    DataSource any = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, a) -> null);
    assertThatThrownBy(() -> JdbcFlagStore.builder().jdbcUrl(pg.jdbcUrl()).dataSource(any))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be combined");
    assertThatThrownBy(() -> JdbcFlagStore.builder().dataSource(any).password("x").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("apply only to the pool built from jdbcUrl");
    assertThat(JdbcFlagStore.builder().table("public.flagstack_flags")).isNotNull();
  }

  @Test
  void defaultsAreTheDocumentedOnesAndFitTheCallTimeout() {
    try (JdbcFlagStore store = JdbcFlagStore.builder().jdbcUrl(pg.jdbcUrl()).build()) {
      assertThat(store.callTimeout()).isEqualTo(Duration.ofSeconds(1));
      assertThat(store.name()).isEqualTo("postgres");
      assertThat(store.toString()).contains("table=flagstack_flags").contains("ownsPool=true")
          .contains(pg.jdbcUrl().replaceFirst("\\?.*", ""));
    }
    assertThat(JdbcFlagStore.Builder.DEFAULT_POOL_WAIT_TIMEOUT_MS + JdbcFlagStore.Builder.DEFAULT_READ_TIMEOUT_MS)
        .as("a call gives up before the client abandons it")
        .isLessThan(JdbcFlagStore.Builder.DEFAULT_CALL_TIMEOUT.toMillis());
    assertThat(JdbcFlagStore.Builder.DEFAULT_QUERY_TIMEOUT_MS).isLessThan(JdbcFlagStore.Builder.DEFAULT_READ_TIMEOUT_MS);
  }
}
