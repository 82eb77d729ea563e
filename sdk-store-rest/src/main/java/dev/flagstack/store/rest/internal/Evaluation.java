package dev.flagstack.store.rest.internal;

import dev.flagstack.FlagValue;

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

  Evaluation(String key, FlagValue value, String errorCode, String errorDetails, String reason) {
    this.key = key;
    this.value = value;
    this.errorCode = errorCode == null || errorCode.isBlank() ? null : errorCode;
    this.errorDetails = errorDetails == null ? null : Texts.shorten(errorDetails);
    this.reason = reason;
  }

  /** Whether the server reported an error for this flag. */
  public boolean failed() {
    return errorCode != null;
  }
}
