package dev.flagstack.spi;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;

/**
 * How a {@link FlagStore} says what kind of failure happened. Use the factory that fits:
 * {@link #transientFailure} for what may pass (timeouts, unavailability, 5xx, malformed replies),
 * {@link #invalidRequest} and {@link #rejected} for what will not (bad request, authentication refused,
 * data of the wrong shape).
 *
 * <p>Exactly which failures are non-transient: a {@link FlagException} (this class, or any other
 * subtype such as {@code InvalidFlagRequestException}) whose {@link FlagException#errorKind()} is
 * {@link FlagErrorKind#INVALID_REQUEST} or {@link FlagErrorKind#REJECTED}. Everything else a store throws
 * or fails a stage with is transient, including a {@code FlagNotFoundException} or a WRONG_TYPE error
 * (a store says "unknown" by leaving the flag out of its answer; failing instead is a broken answer, and
 * the read falls back rather than failing every flag of the batch).
 */
public final class StoreException extends FlagException {
  private static final long serialVersionUID = 1L;

  private StoreException(FlagErrorKind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }

  /** A failure that may pass: counts against the breaker, falls back to the next layer. */
  public static StoreException transientFailure(String message, Throwable cause) {
    return new StoreException(FlagErrorKind.UNAVAILABLE, message, cause);
  }

  /** The store says the request is malformed. Non-transient: passed to the caller as is. */
  public static StoreException invalidRequest(String message) {
    return new StoreException(FlagErrorKind.INVALID_REQUEST, message, null);
  }

  /** The store refuses for a reason retrying will not fix. Non-transient: passed to the caller as is. */
  public static StoreException rejected(String message, Throwable cause) {
    return new StoreException(FlagErrorKind.REJECTED, message, cause);
  }

  /** Whether retrying may succeed. */
  public boolean isTransient() {
    return errorKind().isTransient();
  }

  /**
   * Whether {@code error} (possibly wrapped in a CompletionException) is transient in the sense of this
   * SPI: false only for a {@link FlagException} of kind INVALID_REQUEST or REJECTED.
   */
  public static boolean isTransient(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof FlagException) {
      FlagErrorKind kind = ((FlagException) e).errorKind();
      return kind != FlagErrorKind.INVALID_REQUEST && kind != FlagErrorKind.REJECTED;
    }
    return true;
  }

  /** Strips CompletionException and ExecutionException wrappers. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.CompletionException
        || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
