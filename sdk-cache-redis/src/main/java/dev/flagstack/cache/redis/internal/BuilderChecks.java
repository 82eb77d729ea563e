package dev.flagstack.cache.redis.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;

/** The Redis tier builder's argument checks: each names the option and shows the bad value. */
public final class BuilderChecks {
  private BuilderChecks() {}

  /** Throws IllegalStateException if {@code option} already holds {@code current}. */
  public static void checkUnset(String option, Object current) {
    if (current != null) {
      throw new IllegalStateException(option + " was already set to " + current);
    }
  }

  /** {@code value}, which must be non-null and at least {@code min}. */
  public static Duration checkAtLeast(String option, Duration value, Duration min) {
    if (value == null) {
      throw new IllegalArgumentException(option + " must not be null");
    }
    if (value.compareTo(min) < 0) {
      throw new IllegalArgumentException(option + " must be at least " + min.toMillis() + " ms, was " + value);
    }
    return value;
  }

  /** {@code value}, which must not be null or blank. */
  public static String checkNotBlank(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " must not be blank, was "
          + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  /** Parses a Redis URI; the message never echoes the text or the cause, which may hold a password. */
  public static RedisURI parseUri(String uri) {
    if (uri == null) {
      throw new IllegalArgumentException("uri must not be null");
    }
    try {
      return RedisURI.create(uri);
    } catch (RuntimeException e) {
      int scheme = uri.indexOf("://");
      String shown = scheme > 0 && scheme < 20 && uri.substring(0, scheme).matches("[a-z+-]+")
          ? "scheme " + uri.substring(0, scheme) : "no recognizable scheme";
      throw new IllegalArgumentException("uri is not a valid Redis URI (" + shown + ")");
    }
  }
}
