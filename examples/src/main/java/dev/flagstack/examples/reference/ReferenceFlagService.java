package dev.flagstack.examples.reference;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A small flags service that serves the definitions stored in MongoDB over real sockets: OFREP over HTTP
 * (and {@code flagstack.v1} over gRPC). It evaluates with {@code FlagDefinition.evaluate}, as the Mongo
 * store does, so primary and secondary agree by construction, and it keeps serving its last good copy of
 * the definitions while MongoDB is down.
 *
 * <p>Start it from Java ({@link #builder()}) or from the command line ({@link #main}). {@link #stop()} closes
 * its sockets; {@link #start()} opens them again on the same ports; {@link #delay(Duration)} makes every
 * reply late, as a slow service would be.
 */
public final class ReferenceFlagService implements AutoCloseable {
  private final Builder settings;
  private final ServiceControls controls = new ServiceControls();
  private final DefinitionRepository repository;
  private final OfrepHttpServer http;
  private final ChangeHub changes = new ChangeHub();
  private final GrpcFlagServer grpc;
  private final java.util.concurrent.ScheduledExecutorService heartbeats;
  private int httpPort;
  private int grpcPort;
  private boolean running;
  private boolean repositoryStarted;

  private ReferenceFlagService(Builder b) {
    this.settings = b;
    this.repository = new DefinitionRepository(b.mongoUri, b.database, b.collection, b.refreshInterval);
    this.http = new OfrepHttpServer(controls, repository, b.token);
    this.grpc = new GrpcFlagServer(controls, repository, changes);
    this.httpPort = b.httpPort;
    this.grpcPort = b.grpcPort;
    repository.onChange(changes::changed);
    this.heartbeats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reference-service-heartbeat");
      t.setDaemon(true);
      return t;
    });
    long beat = b.heartbeatInterval.toMillis();
    heartbeats.scheduleAtFixedRate(changes::sendHeartbeats, beat, beat, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** A builder: MongoDB URI required; ports 0 (free ports) by default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Reads the definitions and opens the sockets; after {@link #stop()}, reopens them on the same ports. */
  public synchronized ReferenceFlagService start() throws IOException {
    if (running) {
      return this;
    }
    startRepository();
    httpPort = http.start(settings.host, httpPort);
    try {
      grpcPort = grpc.start(settings.host, grpcPort);
    } catch (IOException | RuntimeException e) {
      http.stop();
      throw e;
    }
    running = true;
    return this;
  }

  private void startRepository() {
    if (!repositoryStarted) {
      repository.start();
      repositoryStarted = true;
    }
  }

  /** Closes the sockets; the service can be started again. */
  public synchronized void stop() {
    http.stop();
    grpc.stop();
    running = false;
  }

  /** Adds {@code delay} before every reply (zero for none). */
  public void delay(Duration delay) {
    controls.delay(Objects.requireNonNull(delay, "delay"));
  }

  /** Reads the definitions from MongoDB now instead of at the next refresh; false if MongoDB is unreadable. */
  public boolean refreshNow() {
    return repository.refresh();
  }

  /** The version of the definitions served: it grows by one each time they change. */
  public long definitionsVersion() {
    return repository.snapshot().version();
  }

  long bulkRepliesForTests() {
    return http.bulkReplies();
  }

  DefinitionSnapshot snapshotForTests() {
    return repository.snapshot();
  }

  public synchronized int httpPort() {
    return httpPort;
  }

  public synchronized int grpcPort() {
    return grpcPort;
  }

  /** The gRPC target, e.g. {@code 127.0.0.1:9090}, for {@code GrpcFlagStore.builder().target(...).plaintext()}. */
  public String grpcTarget() {
    return settings.host + ":" + grpcPort();
  }

  /** The OFREP base URL, e.g. {@code http://127.0.0.1:8016}. */
  public String ofrepBaseUrl() {
    return "http://" + settings.host + ":" + httpPort();
  }

  @Override
  public synchronized void close() {
    stop();
    heartbeats.shutdownNow();
    repository.close();
  }

  /**
   * Runs the service until the process is stopped. Options: {@code --mongo URI} (required),
   * {@code --http-port N} (default 8016), {@code --grpc-port N} (default 9090), {@code --host H}
   * (default 127.0.0.1), {@code --database D}, {@code --collection C}, {@code --refresh-ms N}.
   */
  public static void main(String[] args) throws Exception {
    Builder b = builder().httpPort(8016).grpcPort(9090);
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--mongo" -> b.mongoUri(value);
        case "--http-port" -> b.httpPort(Integer.parseInt(value));
        case "--grpc-port" -> b.grpcPort(Integer.parseInt(value));
        case "--host" -> b.host(value);
        case "--database" -> b.database(value);
        case "--collection" -> b.collection(value);
        case "--refresh-ms" -> b.refreshInterval(Duration.ofMillis(Long.parseLong(value)));
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --mongo URI --http-port N --grpc-port N --host H --database D --collection C --refresh-ms N");
      }
      i++;
    }
    ReferenceFlagService service = b.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    org.slf4j.LoggerFactory.getLogger(ReferenceFlagService.class)
        .info("serving OFREP at {} and gRPC at {}", service.ofrepBaseUrl(), service.grpcTarget());
    Thread.currentThread().join();
  }

  /** Settings of a {@link ReferenceFlagService}. */
  public static final class Builder {
    /** How often the definitions are read from MongoDB: 250 ms. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(250);
    /** How often an idle WatchChanges stream gets a heartbeat: 5 s. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

    private String mongoUri;
    private String database = "flagstack";
    private String collection = "flags";
    private String host = "127.0.0.1";
    private int httpPort;
    private int grpcPort;
    private String token;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;

    private Builder() {}

    public Builder mongoUri(String uri) {
      this.mongoUri = Objects.requireNonNull(uri, "mongoUri");
      return this;
    }

    public Builder database(String database) {
      this.database = Objects.requireNonNull(database, "database");
      return this;
    }

    public Builder collection(String collection) {
      this.collection = Objects.requireNonNull(collection, "collection");
      return this;
    }

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder httpPort(int port) {
      this.httpPort = port(port);
      return this;
    }

    public Builder grpcPort(int port) {
      this.grpcPort = port(port);
      return this;
    }

    /** Requires {@code Authorization: Bearer <token>} or {@code X-API-Key: <token>} on every call. */
    public Builder token(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    public Builder refreshInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, was " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    public Builder heartbeatInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeatInterval must be positive, was " + interval);
      }
      this.heartbeatInterval = interval;
      return this;
    }

    public ReferenceFlagService build() {
      if (mongoUri == null) {
        throw new IllegalStateException("mongoUri is required");
      }
      return new ReferenceFlagService(this);
    }

    private static int port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (a free port) to 65535, was " + port);
      }
      return port;
    }
  }
}
