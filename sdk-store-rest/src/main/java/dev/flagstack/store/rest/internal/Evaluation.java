package dev.flagstack.store.rest.internal;

import dev.flagstack.FlagValue;
import java.util.Map;

/**
 * One flag's answer as an OFREP server sent it: a success ({@link #value} set, or null for "use the
 * caller's default") or a failure ({@link #errorCode} set), with its reason as given.
 */
public final class Evaluation {
  /** The flag key, or null when a single-flag reply left it out. */
  public final String key;
  /** The value, or null when the reply has none (the caller's default applies). */
  public final FlagValue value;
  /** The OpenFeature error code, or null; an empty string counts as none. */
  public final String errorCode;
  /** The server's explanation (shortened), or null. */
  public final String errorDetails;
  /** The reason (any string, as given), or null. */
  public final String reason;
  /** The variant, or null; kept only when a change poll reads the reply. */
  public final String variant;
  /** The metadata object (names to strings, numbers, booleans), or null; kept only by change polls. */
  public final Map<String, Object> metadata;

  Evaluation(String key, FlagValue value, String errorCode, String errorDetails, String reason, String variant,
      Map<String, Object> metadata) {
    this.key = key;
    this.value = value;
    this.errorCode = errorCode == null || errorCode.isBlank() ? null : errorCode;
    this.errorDetails = errorDetails == null ? null : Texts.shorten(errorDetails);
    this.reason = reason;
    this.variant = variant;
    this.metadata = metadata;
  }

  /** Whether the server reported an error for this flag. */
  public boolean failed() {
    return errorCode != null;
  }
}
