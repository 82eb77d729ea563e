package dev.flagstack.cache.redis.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;

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

  /** {@code value}, which must be non-null and from {@code min} to {@code max}. */
  public static Duration checkBetween(String option, Duration value, Duration min, Duration max, String maxText) {
    checkAtLeast(option, value, min);
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException(option + " must be at most " + maxText + ", was " + value);
    }
    return value;
  }

  /** {@code value}, which must be at least {@code min}. */
  public static int checkAtLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** The target URIs {@code parsed}, unless {@code current} already holds some or {@code parsed} is empty. */
  public static List<RedisURI> checkUris(List<RedisURI> current, List<RedisURI> parsed) {
    if (current != null) {
      throw new IllegalStateException("uri was already set to " + Redaction.describe(current));
    }
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("uris must not be empty");
    }
    return List.copyOf(parsed);
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
