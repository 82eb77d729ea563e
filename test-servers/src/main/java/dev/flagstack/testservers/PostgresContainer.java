package dev.flagstack.testservers;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** The Testcontainers branch, kept apart so a missing or broken Docker setup cannot break the others. */
final class PostgresContainer {
  private static final Logger log = LoggerFactory.getLogger(PostgresContainer.class);

  private final GenericContainer<?> container;
  private final String password;

  private PostgresContainer(GenericContainer<?> container, String password) {
    this.container = container;
    this.password = password;
  }

  /** A started container, or null when Docker is unavailable or anything about it fails. */
  static PostgresContainer tryStart(String image) {
    GenericContainer<?> c = null;
    try {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return null;
      }
      String password = "pw-" + UUID.randomUUID();
      c = new GenericContainer<>(DockerImageName.parse(image))
          .withEnv("POSTGRES_PASSWORD", password)
          .withExposedPorts(5432)
          .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 2));
      c.start();
      return new PostgresContainer(c, password);
    } catch (Throwable t) { // NOPMD: any failure here (no Docker, no image, linkage) means "fall back"
      log.info("Testcontainers unavailable for PostgreSQL ({}); using local binaries", t.toString());
      if (c != null) {
        try {
          c.stop();
        } catch (Throwable ignored) { // NOPMD
          // best effort
        }
      }
      return null;
    }
  }

  String host() {
    return container.getHost();
  }

  int port() {
    return container.getMappedPort(5432);
  }

  String password() {
    return password;
  }

  void pause() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  void unpause() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  void close() {
    container.stop();
  }
}
