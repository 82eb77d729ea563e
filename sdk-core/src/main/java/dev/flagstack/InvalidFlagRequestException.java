package dev.flagstack;

/**
 * The request itself is wrong: a null, blank, over-long or control-character id, or a batch over the
 * limit. Thrown before any layer is touched, or passed on from a store that rejected the request.
 */
public final class InvalidFlagRequestException extends FlagException {
  private static final long serialVersionUID = 1L;

  public InvalidFlagRequestException(String message) {
    super(FlagErrorKind.INVALID_REQUEST, message);
  }

  public InvalidFlagRequestException(String message, Throwable cause) {
    super(FlagErrorKind.INVALID_REQUEST, message, cause);
  }
}
