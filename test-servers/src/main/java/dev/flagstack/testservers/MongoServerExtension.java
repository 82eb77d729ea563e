package dev.flagstack.testservers;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real MongoDB endpoint for integration tests, to be reached through the real MongoDB Java driver.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MongoServerExtension mongo = new MongoServerExtension();
 * ... MongoClients.create(mongo.connectionString()) ...
 * }</pre>
 *
 * <p>Where the server comes from, in this order (the choice is logged once at INFO):
 * <ol>
 *   <li>{@value #URI_ENV}, if set: an existing server ({@link ServerSource#ENVIRONMENT}); never stopped.
 *   <li>Testcontainers, if Docker is available: {@value #IMAGE} ({@link ServerSource#TESTCONTAINERS}).
 *   <li>Otherwise mongo-java-server with its in-memory backend, bound to a free loopback port
 *       ({@link ServerSource#LOCAL_IN_JVM}).
 * </ol>
 *
 * <p>{@link #stop()} and {@link #restart()} let a test take the server away and bring it back at the
 * same address. For the in-JVM server the data survives (the backend is kept); a container is paused
 * and unpaused. An environment server cannot be stopped: check {@link #canStop()} and skip the test.
 * The extension starts before all tests of the class and shuts down only what it started after them.
 * Not meant for concurrent use by parallel tests.
 */
public final class MongoServerExtension implements BeforeAllCallback, AfterAllCallback {
  /** The environment variable naming an existing server's connection string. */
  public static final String URI_ENV = "FLAGSTACK_MONGODB_URI";
  /** The image started when Docker is available. */
  public static final String IMAGE = "mongo:7.0";

  private static final Logger log = LoggerFactory.getLogger(MongoServerExtension.class);
  private static final String LOOPBACK = "127.0.0.1";

  private ServerSource source;
  private String connectionString;
  private String host;
  private int port;
  private boolean running;
  private MemoryBackend backend;
  /** The backend as the servers see it: MongoServer.shutdown closes its backend, which would drop the data. */
  private MongoBackend survivingBackend;
  private MongoServer server;
  private ContainerHandle container;

  /** Starts the server if it is not started yet; called by JUnit before the class's tests. */
  public synchronized void start() {
    if (source != null) {
      return;
    }
    String env = System.getenv(URI_ENV);
    if (env != null && !env.isBlank()) {
      source = ServerSource.ENVIRONMENT;
      connectionString = env.trim();
      running = true;
      // The URI may carry a password: say only where it came from.
      log.info("MongoDB for tests: {} (from {})", source, URI_ENV);
      return;
    }
    ContainerHandle started = ContainerHandle.tryStart();
    if (started != null) {
      container = started;
      source = ServerSource.TESTCONTAINERS;
      host = started.host();
      port = started.port();
    } else {
      backend = new MemoryBackend();
      survivingBackend = unclosable(backend);
      port = bindInJvm(0);
      host = LOOPBACK;
      source = ServerSource.LOCAL_IN_JVM;
    }
    connectionString = "mongodb://" + host + ":" + port;
    running = true;
    log.info("MongoDB for tests: {} at {}:{}", source, host, port);
  }

  /** Where the server came from; starts it if needed. */
  public synchronized ServerSource source() {
    start();
    return source;
  }

  /** The server's connection string, such as {@code mongodb://127.0.0.1:40123}; starts it if needed. */
  public synchronized String connectionString() {
    start();
    return connectionString;
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
   * Takes the server away: the in-JVM server stops listening and drops its connections (new connections
   * are refused); a container is paused (connections hang). Idempotent.
   *
   * @throws UnsupportedOperationException for a server from the environment, which we did not start
   */
  public synchronized void stop() {
    if (!canStop()) {
      throw new UnsupportedOperationException("the MongoDB server from " + URI_ENV + " was not started here");
    }
    if (!running) {
      return;
    }
    if (container != null) {
      container.pause();
    } else {
      server.shutdownNow();
      server = null;
    }
    running = false;
    log.info("MongoDB for tests stopped ({})", source);
  }

  /** Brings a stopped server back at the same address, with its data. Does nothing if it is running. */
  public synchronized void restart() {
    if (!canStop()) {
      throw new UnsupportedOperationException("the MongoDB server from " + URI_ENV + " was not started here");
    }
    if (running) {
      return;
    }
    if (container != null) {
      container.unpause();
    } else {
      bindInJvm(port);
    }
    running = true;
    log.info("MongoDB for tests restarted ({}) at {}:{}", source, host, port);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (server != null) {
      server.shutdownNow();
      server = null;
    }
    if (container != null) {
      container.close();
      container = null;
    }
    if (backend != null) {
      backend.close();
      backend = null;
      survivingBackend = null;
    }
    running = false;
    source = null;
  }

  /** Binds a new in-JVM server over the kept backend to {@code wanted}, or to a free port when 0. */
  private int bindInJvm(int wanted) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      int candidate = wanted != 0 ? wanted : freeLoopbackPort();
      MongoServer s = new MongoServer(survivingBackend);
      try {
        s.bind(LOOPBACK, candidate);
        server = s;
        return candidate;
      } catch (RuntimeException e) {
        // Another process took a free port, or the old socket is not released yet: try again shortly.
        last = e;
        s.shutdownNow();
        pause(Duration.ofMillis(50));
      }
    }
    throw new IllegalStateException("could not bind mongo-java-server to " + LOOPBACK
        + (wanted != 0 ? ":" + wanted : " on a free port"), last);
  }

  /** {@code backend} with close() ignored, so a stopped server's data is there after a restart. */
  private static MongoBackend unclosable(MongoBackend backend) {
    return (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(), new Class<?>[] {MongoBackend.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close") && method.getParameterCount() == 0) {
            return null;
          }
          try {
            return method.invoke(backend, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the test MongoDB server", e);
    }
  }

  @Override
  public synchronized String toString() {
    return "MongoServerExtension{" + source + (host == null ? "" : " at " + host + ":" + port) + '}';
  }

  /** The Testcontainers branch, kept apart so a missing or broken Docker setup cannot break the others. */
  private static final class ContainerHandle {
    private final GenericContainer<?> container;

    private ContainerHandle(GenericContainer<?> container) {
      this.container = container;
    }

    /** A started container, or null when Docker is unavailable or anything about it fails. */
    static ContainerHandle tryStart() {
      GenericContainer<?> c = null;
      try {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
          return null;
        }
        c = new GenericContainer<>(DockerImageName.parse(IMAGE)).withExposedPorts(27017);
        c.start();
        return new ContainerHandle(c);
      } catch (Throwable t) { // NOPMD: any failure here (no Docker, no image, linkage) means "fall back"
        log.info("Testcontainers unavailable for MongoDB ({}); using the in-JVM server", t.toString());
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
      return container.getMappedPort(27017);
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
}
