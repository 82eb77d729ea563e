package dev.flagstack.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every secret setting of every layer type, made wrong in the ways a person gets it wrong: whatever
 * {@link FlagClientConfig#build()} says (its exception, every cause, the log, the built client's
 * {@code toString()}) never contains the secret.
 */
class ConfigSecretsTest {
  private static final String SECRET = "s3cr3tPW";

  static Stream<Arguments> configs() {
    return Stream.of(
        // redis
        cfg("cache", "redis", "uri", "redis://:" + SECRET + "@host:notaport"),
        cfg("cache", "redis", "uri", "redis://:" + SECRET + "@"),
        cfg("cache", "redis", "uri", "redis://user:" + SECRET + "@host:6379/notadb"),
        cfg("cache", "redis", "uri", "http://:" + SECRET + "@host:6379"),
        cfg("cache", "redis", "uri", "redis://:" + SECRET + " x@host:6379"),
        cfg("cache", "redis", "uri", SECRET),
        cfg("cache", "redis", "uris", "redis://:" + SECRET + "@h1:1,notauri" + SECRET),
        cfg("cache", "redis", "uri", "redis-sentinel://:" + SECRET + "@h1:1,h2:notaport#master"),
        cfg("cache", "redis", "urii", SECRET),
        // mongo
        cfg("primary", "mongo", "connection-string", "mongodb://u:" + SECRET + "@host:99999/"),
        cfg("primary", "mongo", "connection-string", "mongodb://u:" + SECRET + "@/"),
        cfg("primary", "mongo", "connection-string", "mongo://u:" + SECRET + "@host/"),
        cfg("primary", "mongo", "connection-string", "mongodb://u:" + SECRET + "@host/?w=banana&unknownOption=1"),
        cfg("primary", "mongo", "connection-string", "mongodb+srv://u:" + SECRET + "@host:27017/"),
        cfg("primary", "mongo", "connection-string", "mongodb://u:" + SECRET + "%zz@host/"),
        cfg("primary", "mongo", "connection-string", SECRET),
        cfg("secondary", "mongo", "connection-strin", "mongodb://u:" + SECRET + "@host/"),
        // rest
        cfg("primary", "rest", "base-url", "http://u:" + SECRET + "@host/"),
        cfg("primary", "rest", "base-url", "ftp://" + SECRET + "/"),
        cfg("primary", "rest", "base-url", "http://host/?token=" + SECRET),
        cfg("primary", "rest", "base-url", "http://host/#" + SECRET),
        cfg("primary", "rest", "base-url", "http://[" + SECRET + "/"),
        cfg("primary", "rest", "base-url", SECRET),
        cfg("primary", "rest", "bearer-token", SECRET + "\u00e9"),
        cfg("primary", "rest", "bearer-token", SECRET + "\r\nX-Injected: 1"),
        cfg("primary", "rest", "api-key", SECRET + "\n"),
        cfg("primary", "rest", "headers", "X-Token=" + SECRET + ",broken"),
        cfg("primary", "rest", "headers", "Bad Name=" + SECRET),
        cfg("primary", "rest", "headers", "X-Token=" + SECRET + "\u0001"),
        cfg("primary", "rest", "bearer-tokn", SECRET),
        // grpc
        cfg("primary", "grpc", "target", "u:" + SECRET + "@host:notaport"),
        cfg("primary", "grpc", "target", "unknownscheme://" + SECRET + "/x"),
        cfg("primary", "grpc", "target", SECRET + " with spaces:1"),
        cfg("primary", "grpc", "bearer-token", SECRET + " \u00e9"),
        cfg("primary", "grpc", "bearer-token", SECRET + "\n"),
        cfg("primary", "grpc", "bearer-tokn", SECRET),
        // postgres
        cfg("primary", "postgres", "jdbc-url", "jdbc:postgresql://host/db?password=" + SECRET + "&sslmode=banana"),
        cfg("primary", "postgres", "jdbc-url", "jdbc:mysql://host/db?password=" + SECRET),
        cfg("primary", "postgres", "jdbc-url", "jdbc:postgresql://host:notaport/db?password=" + SECRET),
        cfg("primary", "postgres", "jdbc-url", "jdbc:postgresql://u:" + SECRET + "@host/db"),
        cfg("primary", "postgres", "jdbc-url", SECRET),
        cfg("primary", "postgres", "password", SECRET),
        cfg("primary", "postgres", "pasword", SECRET));
  }

  private static Arguments cfg(String role, String type, String key, String value) {
    return Arguments.of(role, type, key, value);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("configs")
  void noErrorPathShowsTheSecret(String role, String type, String key, String value) throws Exception {
    Map<String, String> settings = new HashMap<>();
    String base = "flagstack." + (role.equals("cache") ? "cache." : role + ".") + type + ".";
    if (role.equals("cache")) {
      settings.put("flagstack.caches", type);
      settings.put("flagstack.primary.type", "grpc");
      settings.put("flagstack.primary.grpc.target", "localhost:1");
    } else {
      settings.put("flagstack." + role + ".type", type);
      if (role.equals("secondary")) {
        settings.put("flagstack.primary.type", "grpc");
        settings.put("flagstack.primary.grpc.target", "localhost:1");
      }
    }
    settings.put(base + key, value);
    FlagClientConfig config = FlagClientConfig.fromMap(settings);
    StringBuilder said = new StringBuilder(config.toString()).append('\n');
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try (ConfiguredFlagClient client = config.build()) {
      said.append("built: ").append(client).append('\n').append(client.client()).append('\n');
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        said.append(t).append('\n');
        for (Throwable s : t.getSuppressed()) {
          said.append(s).append('\n');
        }
      }
    } finally {
      System.setErr(err);
    }
    said.append(log.toString(StandardCharsets.UTF_8));
    assertThat(said.toString()).doesNotContain(SECRET);
  }
}
