package dev.flagstack.store.mongo.internal;

import com.mongodb.ConnectionString;
import java.time.Duration;
import java.util.Objects;

/** The MongoDB store builder's argument checks: each names the option and shows the bad value. */
public final class BuilderChecks {
  private BuilderChecks() {}

  /** Throws NullPointerException for a null {@code value} and IllegalStateException if already set. */
  public static void checkUnset(String option, Object current, Object value) {
    Objects.requireNonNull(value, option);
    if (current != null) {
      throw new IllegalStateException(option + " was already set to " + current);
    }
  }

  /**
   * The parsed connection string; the message of the IllegalArgumentException for a bad one hides the
   * string and its credentials.
   */
  public static ConnectionString parseConnectionString(String uri) {
    try {
      return new ConnectionString(uri);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException("connectionString is not a valid MongoDB connection string: "
          + Secrets.of(uri).redact(why.replace(uri, "<connectionString>")));
    }
  }

  /** {@code value}, which must not be blank. */
  public static String notBlank(String option, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(option + " must not be blank, was '" + value + "'");
    }
    return value;
  }

  /** {@code d}, which must be positive. */
  public static Duration positive(String option, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, was " + d);
    }
    return d;
  }

  /** {@code d}, which must be from 1 ms to {@link Integer#MAX_VALUE} ms (the driver takes an int). */
  public static Duration intMillis(String option, Duration d) {
    if (d.toMillis() > Integer.MAX_VALUE || d.toMillis() < 1) {
      throw new IllegalArgumentException(option + " must be from 1 ms to " + Integer.MAX_VALUE + " ms, was " + d);
    }
    return d;
  }

  /** {@code value}, which must be from {@code min} to {@code max}, for an option that may be set once. */
  public static int inRange(String option, int current, int value, int min, int max) {
    if (current != 0) {
      throw new IllegalStateException(option + " was already set to " + current);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }
}
