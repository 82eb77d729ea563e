package dev.flagstack.testservers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds a {@code redis-server} executable: {@code $FLAGSTACK_REDIS_SERVER}, then {@code redis-server} on the
 * PATH, then the Linux binary shipped inside the embedded-redis jar (extracted once per JVM to a temp dir;
 * it needs libssl 3).
 */
public final class RedisBinary {
  /** The environment variable naming a redis-server executable to use. */
  public static final String ENV_BINARY = "FLAGSTACK_REDIS_SERVER";

  private static Path cached;

  private RedisBinary() {}

  /** The executable to run; extracts the bundled one on first use. */
  public static synchronized Path locate() {
    if (cached != null) {
      return cached;
    }
    String env = System.getenv(ENV_BINARY);
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return cached = Path.of(env);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, "redis-server");
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          return cached = candidate;
        }
      }
    }
    return cached = extractBundled();
  }

  private static Path extractBundled() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      throw new IllegalStateException("no redis-server on the PATH and no bundled binary for " + os
          + "; install Redis or set " + ENV_BINARY);
    }
    String resource = arch.equals("aarch64") || arch.equals("arm64")
        ? "/redis-server-6.2.7-linux-arm64"
        : "/redis-server-6.2.6-v5-linux-amd64";
    try (InputStream in = redis.embedded.RedisServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("embedded-redis jar has no " + resource);
      }
      Path dir = Files.createTempDirectory("flagstack-redis-bin");
      Path binary = dir.resolve("redis-server");
      Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
      if (!binary.toFile().setExecutable(true, true)) {
        throw new IllegalStateException("cannot make " + binary + " executable");
      }
      binary.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the bundled redis-server", e);
    }
  }
}
