package dev.flagstack;

/**
 * The root of every exception Flagstack throws. Unchecked; {@link #errorKind()} says which case it is.
 * Messages never contain secrets (tokens, passwords).
 */
public class FlagException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FlagErrorKind errorKind;

  public FlagException(FlagErrorKind errorKind, String message) {
    this(errorKind, message, null);
  }

  public FlagException(FlagErrorKind errorKind, String message, Throwable cause) {
    super(message, cause);
    this.errorKind = java.util.Objects.requireNonNull(errorKind, "errorKind");
  }

  /** The kind of failure. */
  public FlagErrorKind errorKind() {
    return errorKind;
  }
}
