package dev.flagstack.testservers;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that provides one real Redis server per test class. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * }</pre>
 *
 * or with {@code @ExtendWith(RedisServerExtension.class)} and a {@code RedisServerExtension} test
 * parameter. The server comes from, in order: the URI in {@code FLAGSTACK_REDIS_URI}; a Testcontainers
 * container when Docker is available; a local {@code redis-server} child process on a free port (see
 * {@link RedisBinary}). {@link #localProcess()} skips the first two, for tests that kill, pause or restart
 * the server, which only a local process allows. The chosen source is printed to standard output.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback,
    ParameterResolver {
  /** The environment variable naming an existing server, such as {@code redis://127.0.0.1:6379}. */
  public static final String ENV_URI = "FLAGSTACK_REDIS_URI";
  /** The image used when Docker is available. */
  public static final String IMAGE = "redis:7.2-alpine";

  private final boolean localOnly;
  private final String requiredPassword;
  private ServerSource source;
  private String host;
  private int port;
  private String password;
  private String uri;
  private RedisLocalServer local;
  private AutoCloseable container;

  /** A server from the first source available. */
  public RedisServerExtension() {
    this(false, null);
  }

  private RedisServerExtension(boolean localOnly, String requiredPassword) {
    this.localOnly = localOnly;
    this.requiredPassword = requiredPassword;
  }

  /** Always a local child process, which {@link #kill()}, {@link #pause()} and friends can control. */
  public static RedisServerExtension localProcess() {
    return new RedisServerExtension(true, null);
  }

  /** A local child process that requires {@code password} ({@code --requirepass}). */
  public static RedisServerExtension localProcessWithPassword(String password) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty");
    }
    return new RedisServerExtension(true, password);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ensureStarted();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    ensureStarted();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == RedisServerExtension.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    ensureStarted();
    return this;
  }

  /** Starts the server unless it runs; idempotent. */
  public synchronized void ensureStarted() {
    if (source != null) {
      return;
    }
    String env = localOnly ? null : System.getenv(ENV_URI);
    if (env != null && !env.isBlank()) {
      URI parsed = URI.create(env.trim());
      host = parsed.getHost();
      port = parsed.getPort() > 0 ? parsed.getPort() : 6379;
      String userInfo = parsed.getUserInfo();
      password = userInfo == null ? null : userInfo.substring(userInfo.indexOf(':') + 1);
      uri = env.trim();
      announce(ServerSource.ENVIRONMENT, "from $" + ENV_URI);
      source = ServerSource.ENVIRONMENT;
      return;
    }
    if (!localOnly && dockerAvailable()) {
      Containers.Started started = Containers.start();
      container = started.container;
      host = started.host;
      port = started.port;
      uri = "redis://" + host + ":" + port;
      announce(ServerSource.TESTCONTAINERS, IMAGE);
      source = ServerSource.TESTCONTAINERS;
      return;
    }
    local = RedisLocalServer.start(FreePorts.find(), requiredPassword, List.of());
    host = local.host();
    port = local.port();
    password = requiredPassword;
    uri = "redis://" + host + ":" + port;
    announce(ServerSource.LOCAL_PROCESS, RedisBinary.locate() + ", pid " + local.pid());
    source = ServerSource.LOCAL_PROCESS;
  }

  /** Stops what this extension started (never an {@link ServerSource#ENVIRONMENT} server). Idempotent. */
  public synchronized void stop() throws Exception {
    if (local != null) {
      local.stop();
      local = null;
    }
    if (container != null) {
      container.close();
      container = null;
    }
    source = null;
  }

  private void announce(ServerSource chosen, String detail) {
    System.out.println("[flagstack-test-servers] Redis: " + chosen + " at " + host + ":" + port + " (" + detail + ")");
  }

  private static boolean dockerAvailable() {
    try {
      return Containers.dockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** Where the server came from. */
  public ServerSource source() {
    return source;
  }

  /** A URI for clients; never contains the password unless it came from {@code FLAGSTACK_REDIS_URI}. */
  public String uri() {
    return uri;
  }

  /** The server's host. */
  public String host() {
    return host;
  }

  /** The server's port. */
  public int port() {
    return port;
  }

  /** The password the server requires, or null. */
  public String password() {
    return password;
  }

  /** The local process; throws unless the source is {@link ServerSource#LOCAL_PROCESS}. */
  public RedisLocalServer server() {
    if (local == null) {
      throw new IllegalStateException("the Redis server is " + source
          + ", not a local process; use RedisServerExtension.localProcess() to control it");
    }
    return local;
  }

  /** SIGKILLs the local server. */
  public void kill() {
    server().kill();
  }

  /** SIGSTOPs the local server. */
  public void pause() {
    server().pause();
  }

  /** SIGCONTs the local server. */
  public void resume() {
    server().resume();
  }

  /** Restarts the local server on the same port (empty: persistence is off). */
  public void restart() {
    server().restart();
  }

  /** Runs one command on a fresh connection (authenticating if needed) and returns the reply. */
  public Object command(String... args) {
    return RedisWire.call(host, port, password, args);
  }

  /** Deletes every key. */
  public void flushAll() {
    command("FLUSHALL");
  }

  /** The number of calls of {@code command} (lower case, such as {@code "mget"}) in {@code INFO commandstats}. */
  public long commandCalls(String command) {
    String info = (String) command("INFO", "commandstats");
    String marker = "cmdstat_" + command + ":calls=";
    int at = info.indexOf(marker);
    if (at < 0) {
      return 0;
    }
    int start = at + marker.length();
    int end = start;
    while (end < info.length() && Character.isDigit(info.charAt(end))) {
      end++;
    }
    return Long.parseLong(info.substring(start, end));
  }

  /** Resets {@code INFO commandstats}. */
  public void resetStats() {
    command("CONFIG", "RESETSTAT");
  }

  /** Keeps Testcontainers classes unloaded unless Docker is probed or used. */
  private static final class Containers {
    static final class Started {
      final AutoCloseable container;
      final String host;
      final int port;

      Started(AutoCloseable container, String host, int port) {
        this.container = container;
        this.host = host;
        this.port = port;
      }
    }

    static boolean dockerAvailable() {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    }

    @SuppressWarnings("resource")
    static Started start() {
      org.testcontainers.containers.GenericContainer<?> c =
          new org.testcontainers.containers.GenericContainer<>(
              org.testcontainers.utility.DockerImageName.parse(IMAGE))
              .withExposedPorts(6379)
              .withCommand("redis-server", "--save", "", "--appendonly", "no");
      c.start();
      return new Started(c::stop, c.getHost(), c.getMappedPort(6379));
    }
  }
}
