package dev.flagstack.micrometer.internal;

import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.spi.StoreException;

/** Why a layer failed, as the {@code reason} tag of {@code flagstack.layer.failures}. */
public enum FailureReason {
  /** Skipped: its circuit breaker is open. */
  BREAKER_OPEN("breaker_open"),
  /** The secondary was skipped: every permit was held by calls in flight, and none came free in time. */
  BUSY("busy"),
  /** A timeout, a connection error, a malformed reply: counts against the breaker. */
  TRANSIENT("transient"),
  /** A refusal retrying will not fix: passed to the caller. */
  NON_TRANSIENT("non_transient");

  /** The message sdk-core gives the failure it reports for a layer skipped by its open breaker. */
  static final String BREAKER_OPEN_MESSAGE = "circuit breaker open";
  /** Part of the message sdk-core gives a secondary read that found no free permit. */
  static final String BUSY_MARKER = " is busy: ";

  private final String tag;

  FailureReason(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }

  /**
   * Classifies an error passed to {@code layerFailed}. The listener API carries no reason, so open
   * breakers and busy secondaries are told apart by the messages sdk-core gives them (no allocation).
   */
  public static FailureReason of(FlagSource role, Throwable error) {
    String message = error.getMessage();
    if (error instanceof FlagException && BREAKER_OPEN_MESSAGE.equals(message)) {
      return BREAKER_OPEN;
    }
    if (role == FlagSource.SECONDARY && error instanceof StoreException && message != null
        && message.contains(BUSY_MARKER)) {
      return BUSY;
    }
    return StoreException.isTransient(error) ? TRANSIENT : NON_TRANSIENT;
  }
}
