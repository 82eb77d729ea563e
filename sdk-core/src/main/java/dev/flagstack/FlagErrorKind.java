package dev.flagstack;

/**
 * Why a flag read did not produce the stored value. Carried by every {@link FlagException} and by
 * {@link FlagDetail#errorKind()}.
 */
public enum FlagErrorKind {
  /** The flag does not exist. Non-transient: never trips a breaker, never falls back. */
  FLAG_NOT_FOUND(false),
  /** The request was malformed (bad entity or flag id, batch too large). Non-transient. */
  INVALID_REQUEST(false),
  /** A store refused the request for a reason retrying will not fix (authentication, bad data). */
  REJECTED(false),
  /** The flag exists but holds another type than the typed read asked for. */
  WRONG_TYPE(false),
  /** Every layer that could answer failed: timeouts, connection errors, open breakers. Transient. */
  UNAVAILABLE(true);

  private final boolean transientKind;

  FlagErrorKind(boolean transientKind) {
    this.transientKind = transientKind;
  }

  /** Whether retrying later may succeed; only transient failures count against a circuit breaker. */
  public boolean isTransient() {
    return transientKind;
  }
}
