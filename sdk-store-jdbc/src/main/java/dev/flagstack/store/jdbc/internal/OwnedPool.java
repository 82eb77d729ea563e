package dev.flagstack.store.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/** Builds the small HikariCP pool a store owns when it is given a JDBC URL rather than a data source. */
public final class OwnedPool {
  /** HikariCP refuses to wait less than this for a connection (it silently raises lower values). */
  public static final long HIKARI_MIN_TIMEOUT_MS = 250;

  private OwnedPool() {}

  /**
   * A pool of at most {@code size} connections that waits at most {@code poolWait} for one and connects
   * in the background, so it is built while the database is down.
   *
   * @throws IllegalArgumentException if HikariCP refuses the settings; the message is scrubbed of secrets
   */
  public static HikariDataSource create(String storeName, String jdbcUrl, String username, String password,
      int size, Duration poolWait, Duration connectTimeout, Secrets secrets) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("flagstack-" + storeName);
    config.setJdbcUrl(jdbcUrl);
    if (username != null) {
      config.setUsername(username);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(size);
    // One warm connection, so the first read after a quiet spell does not pay for a TCP and TLS handshake.
    config.setMinimumIdle(1);
    config.setConnectionTimeout(poolWait.toMillis());
    config.setValidationTimeout(HIKARI_MIN_TIMEOUT_MS);
    // Never fail build() because the database is down: connect in the background.
    config.setInitializationFailTimeout(-1);
    config.setAutoCommit(true);
    config.setReadOnly(true);
    long connectSeconds = Math.max(1, (connectTimeout.toMillis() + 999) / 1000);
    config.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
    config.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds * 2));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("ApplicationName", "flagstack-" + storeName);
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException("cannot create the connection pool for "
          + Secrets.describeUrl(jdbcUrl) + ": " + secrets.redact(why), secrets.safeCause(e));
    }
  }
}
