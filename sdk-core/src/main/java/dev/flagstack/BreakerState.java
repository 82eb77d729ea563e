package dev.flagstack;

/** The state of a layer's circuit breaker, as reported to {@link FlagEventListener#breakerStateChanged}. */
public enum BreakerState {
  /** Calls flow. */
  CLOSED,
  /** Calls are not attempted; the layer is skipped until the open period ends. */
  OPEN,
  /** The open period ended; one probe call decides between CLOSED and OPEN. */
  HALF_OPEN
}
