package dev.flagstack;

/**
 * A configuration that cannot build a client: an unknown or malformed key, an unknown layer type, a
 * missing required setting. Thrown by {@link FlagClientConfig#build()} and by layer providers. The message
 * names the key (as it was written, environment variable included) and never holds a secret. Its
 * {@link #errorKind()} is {@link FlagErrorKind#INVALID_REQUEST}: retrying with the same settings fails the
 * same way.
 */
public final class FlagConfigurationException extends FlagException {
  private static final long serialVersionUID = 1L;

  private final String key;

  /** An error about {@code key} (null if it concerns no single key). */
  public FlagConfigurationException(String key, String message) {
    this(key, message, null);
  }

  /** An error about {@code key} with its cause; pass a cause only if its messages hold no secret. */
  public FlagConfigurationException(String key, String message, Throwable cause) {
    super(FlagErrorKind.INVALID_REQUEST, message, cause);
    this.key = key;
  }

  /** The full key at fault, as the message names it, or null. */
  public String key() {
    return key;
  }
}
