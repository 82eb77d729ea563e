package dev.flagstack.cache.redis.internal;

import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Describes URIs and errors for logs, messages and toString() without credentials. */
public final class Redaction {
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s]*@");

  private Redaction() {}

  /** {@code redis://host:port/db}, {@code rediss://...}, {@code redis-sentinel://h1:p1,h2:p2#master}: no user, no password. */
  public static String describe(RedisURI uri) {
    if (uri.getSocket() != null) {
      return "redis-socket://" + uri.getSocket();
    }
    String db = uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase();
    if (!uri.getSentinels().isEmpty()) {
      String sentinels = uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
          .collect(Collectors.joining(","));
      return (uri.isSsl() ? "rediss-sentinel://" : "redis-sentinel://") + sentinels + db + "#" + uri.getSentinelMasterId();
    }
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + db;
  }

  /** The URIs described and joined with commas. */
  public static String describe(List<RedisURI> uris) {
    return uris.stream().map(Redaction::describe).collect(Collectors.joining(","));
  }

  /** The error's class and message, with any {@code user:password@} in a URI removed. */
  public static String describe(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    return message == null ? name : name + ": " + USER_INFO.matcher(message).replaceAll("");
  }
}
