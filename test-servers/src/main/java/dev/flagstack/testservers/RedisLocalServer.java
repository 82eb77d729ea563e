package dev.flagstack.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child process on a fixed loopback port, for chaos tests: {@link #kill()} (SIGKILL),
 * {@link #pause()} (SIGSTOP), {@link #resume()} (SIGCONT) and {@link #restart()} on the same port. It only
 * ever signals the process it started, by that process's own pid. Persistence is off
 * ({@code --save "" --appendonly no}), so a restarted server is empty. Not thread-safe.
 */
public final class RedisLocalServer implements AutoCloseable {
  private static final Set<RedisLocalServer> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(RedisLocalServer::forceKill),
        "flagstack-redis-reaper"));
  }

  private final Path binary;
  private final int port;
  private final String password;
  private final List<String> extraArgs;
  private final Path dir;
  private final Path sentinelConfig;
  private Process process;
  private boolean paused;

  private RedisLocalServer(int port, String password, List<String> extraArgs, String sentinelMonitor) {
    this.binary = RedisBinary.locate();
    this.port = port;
    this.password = password;
    this.extraArgs = List.copyOf(extraArgs);
    try {
      this.dir = Files.createTempDirectory("flagstack-redis-" + port + "-");
      if (sentinelMonitor != null) {
        sentinelConfig = dir.resolve("sentinel.conf");
        Files.writeString(sentinelConfig, sentinelMonitor);
      } else {
        sentinelConfig = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a Sentinel on a free port that monitors the master {@code masterName} at
   * {@code 127.0.0.1:masterPort} with quorum 1.
   */
  public static RedisLocalServer startSentinel(String masterName, int masterPort) {
    String config = "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 1\n"
        + "sentinel down-after-milliseconds " + masterName + " 2000\n";
    RedisLocalServer sentinel = new RedisLocalServer(FreePorts.find(), null, List.of(), config);
    sentinel.launch();
    return sentinel;
  }

  /** Starts a server on a free port, without a password. */
  public static RedisLocalServer start() {
    return start(FreePorts.find(), null, List.of());
  }

  /**
   * Starts a server on {@code port}, requiring {@code password} when it is not null, with extra
   * redis-server arguments such as {@code "--cluster-enabled", "yes"}. Waits until it answers.
   */
  public static RedisLocalServer start(int port, String password, List<String> extraArgs) {
    RedisLocalServer server = new RedisLocalServer(port, password, extraArgs, null);
    server.launch();
    return server;
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** The port, the same across restarts. */
  public int port() {
    return port;
  }

  /** The password the server requires, or null. */
  public String password() {
    return password;
  }

  /** The working directory (logs, cluster config). */
  public Path directory() {
    return dir;
  }

  /** The pid of the current process, or -1 when none is running. */
  public synchronized long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  /** Whether a process is running (possibly paused). */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Kills the process with SIGKILL and waits for it to be gone. The port stays reserved for {@link #restart()}. */
  public synchronized void kill() {
    forceKill();
  }

  /** Freezes the process with SIGSTOP: connections stay open, nothing is answered. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  /** Thaws a paused process with SIGCONT. */
  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  /** Kills the process if it runs, then starts a fresh one on the same port and waits until it answers. */
  public synchronized void restart() {
    forceKill();
    launch();
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    if (paused) {
      forceKill();
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        forceKill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      forceKill();
    }
    RUNNING.remove(this);
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void forceKill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paused = false;
    RUNNING.remove(this);
    process = null;
  }

  private void signal(String name) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void launch() {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    if (sentinelConfig != null) {
      cmd.add(sentinelConfig.toString());
      cmd.add("--sentinel");
    }
    cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--daemonize", "no",
        "--dir", dir.toString()));
    if (sentinelConfig == null) {
      cmd.addAll(List.of("--save", "", "--appendonly", "no"));
    }
    if (password != null) {
      cmd.add("--requirepass");
      cmd.add(password);
    }
    cmd.addAll(extraArgs);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (int attempt = 1; ; attempt++) {
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()));
        process = pb.start();
        RUNNING.add(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + binary, e);
      }
      if (awaitReady(deadline)) {
        paused = false;
        return;
      }
      // The port may still be held by the previous process's socket; try again until the deadline.
      forceKill();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not start on port " + port + " after " + attempt
            + " attempts; see " + dir.resolve("redis.log"));
      }
      sleepMillis(100);
    }
  }

  private boolean awaitReady(long deadline) {
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try (RedisWire wire = new RedisWire(host(), port, 500)) {
        wire.command("PING");
        return true;
      } catch (RedisWire.ErrorReply e) {
        return true;  // NOAUTH: it answers
      } catch (RuntimeException e) {
        sleepMillis(20);
      }
    }
    return false;
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return "RedisLocalServer{port=" + port + ", pid=" + pid() + '}';
  }
}
