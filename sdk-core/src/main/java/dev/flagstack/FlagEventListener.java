package dev.flagstack;

import java.time.Duration;
import java.util.Set;

/**
 * Receives what a {@link FlagClient} does, for metrics, tracing and logs. Override the methods you need.
 *
 * <p>Contract: methods are called synchronously on the thread that did the work, including the caller's
 * thread on the cache-hit path, so they must be fast, must not block and should not throw; a thrown
 * exception is caught and logged, never passed to the caller. Arguments are never null except where noted.
 * No event object is allocated per read: the arguments are the event.
 */
public abstract class FlagEventListener {
  /** A listener that ignores every event. */
  public static final FlagEventListener NONE = new FlagEventListener() {};

  /**
   * A listener that passes every event to each of {@code listeners}, in order, so that several bindings
   * (metrics, an OpenFeature provider, tracing) can watch one client. A listener that throws is logged
   * (the first time at WARN, then at DEBUG) and the others still receive the event. Fanning out allocates
   * nothing per event. {@link #NONE} entries are dropped: composing nothing returns {@link #NONE}, and
   * composing one listener returns it unchanged.
   *
   * @throws NullPointerException if {@code listeners} or one of its elements is null
   */
  public static FlagEventListener compose(FlagEventListener... listeners) {
    return ComposedEventListener.of(listeners);
  }

  /**
   * A flag read ended. {@code layer} is null when {@code source} is DEFAULT; {@code errorKind} is null
   * unless it is. {@code nanos} is the time the read took.
   */
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {}

  /** A layer failed or was skipped by its open breaker during a read; the read may still succeed below it. */
  public void layerFailed(String layer, FlagSource role, Throwable error) {}

  /** A layer's circuit breaker moved from {@code from} to {@code to}; {@code openFor} is null unless OPEN. */
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {}

  /**
   * A change source told the client that {@code flags} changed, and the client has dropped them from its
   * caches; an empty set means anything may have changed (the source could not say what). Called on the
   * source's thread (an OpenFeature provider emits {@code PROVIDER_CONFIGURATION_CHANGED} from here).
   */
  public void flagsChanged(Set<String> flags) {}
}
