package dev.flagstack.internal;

import dev.flagstack.BreakerSettings;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagSource;
import dev.flagstack.spi.StoreException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Resilience4j circuit breaker for one layer, with the seed's trip and close logging. Only transient
 * failures count; non-transient ones are ignored (neither failure nor success). Every acquired permission
 * must be followed by exactly one of {@link #onSuccess}, {@link #onFailure} or {@link #release}:
 * {@link GuardedCall} guarantees that for every call it makes with this breaker as its guard.
 *
 * <p>As a backstop against a permission that is somehow never reported, a half-open breaker that has
 * heard nothing for twice the layer's timeout plus one second opens again on its own (Resilience4j's
 * {@code maxWaitDurationInHalfOpenState}; that timer runs in real time, not on an injected clock).
 */
public final class LayerBreaker implements GuardedCall.Guard {
  private static final Logger log = LoggerFactory.getLogger(LayerBreaker.class);

  private final String layer;
  private final FlagSource role;
  private final BreakerSettings settings;
  private final Clock clock;
  private final SafeListener listener;
  private final CircuitBreaker breaker;
  private final LayerTrack status;
  private volatile Throwable lastError;
  private volatile int consecutiveTrips;
  private volatile long openedAtMillis;

  public LayerBreaker(String layer, FlagSource role, BreakerSettings settings, Duration layerTimeout, Clock clock,
      SafeListener listener) {
    this.layer = layer;
    this.role = role;
    this.settings = settings;
    this.clock = clock;
    this.listener = listener;
    this.status = listener.status().claim(role, layer);
    int window = settings.failureThreshold();
    CircuitBreakerConfig config = CircuitBreakerConfig.custom()
        .slidingWindow(window, window, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .permittedNumberOfCallsInHalfOpenState(1)
        .maxWaitDurationInHalfOpenState(halfOpenBackstop(layerTimeout))
        .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(
            settings.openDuration(), settings.backoffMultiplier(), settings.maxOpenDuration()))
        .ignoreException(e -> !StoreException.isTransient(e))
        .recordException(StoreException::isTransient)
        .writableStackTraceEnabled(false)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .clock(clock)
        .build();
    this.breaker = CircuitBreaker.of(role.name().toLowerCase(java.util.Locale.ROOT) + ":" + layer, config);
    breaker.getEventPublisher().onStateTransition(this::onTransition);
  }

  private static Duration halfOpenBackstop(Duration layerTimeout) {
    Duration timeout = layerTimeout.compareTo(EngineSettings.MAX_LAYER_TIMEOUT) > 0
        ? EngineSettings.MAX_LAYER_TIMEOUT : layerTimeout;
    return timeout.multipliedBy(2).plusSeconds(1);
  }

  /** Whether a call may go ahead now; if true, the outcome must be reported. */
  @Override
  public boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  @Override
  public void onOutcome(long nanos, Throwable error) {
    if (error == null) {
      onSuccess(nanos);
    } else {
      onFailure(nanos, error);
    }
  }

  public void onSuccess(long nanos) {
    status.callEnded(null);
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
  }

  public void onFailure(long nanos, Throwable error) {
    Throwable e = StoreException.unwrap(error);
    if (StoreException.isTransient(e)) {
      lastError = e;
    }
    status.callEnded(e);
    breaker.onError(nanos, TimeUnit.NANOSECONDS, e);
  }

  /** Gives back a permission whose call was never made. */
  public void release() {
    breaker.releasePermission();
  }

  public BreakerState state() {
    return map(breaker.getState());
  }

  public String layer() {
    return layer;
  }

  private void onTransition(CircuitBreakerOnStateTransitionEvent event) {
    BreakerState from = map(event.getStateTransition().getFromState());
    BreakerState to = map(event.getStateTransition().getToState());
    Duration openFor = null;
    if (to == BreakerState.OPEN) {
      int trip = ++consecutiveTrips;
      openFor = settings.openDurationForTrip(trip);
      openedAtMillis = clock.millis();
      Throwable last = lastError;
      String lastMessage = last == null ? "none" : describe(last);
      if (from == BreakerState.HALF_OPEN) {
        log.error("{} '{}': probe failed, circuit open again (trip {} in a row); last error: {}; "
            + "no calls for {} ms", roleName(), layer, trip, lastMessage, openFor.toMillis());
      } else {
        log.error("{} '{}': circuit opened after {} consecutive transient failures; last error: {}; "
            + "no calls for {} ms", roleName(), layer, settings.failureThreshold(), lastMessage,
            openFor.toMillis());
      }
    } else if (to == BreakerState.CLOSED && from != BreakerState.CLOSED) {
      long openMillis = clock.millis() - openedAtMillis;
      consecutiveTrips = 0;
      log.warn("{} '{}': circuit closed after {} ms of trouble", roleName(), layer, openMillis);
    }
    status.breakerChanged(to);
    listener.breakerStateChanged(layer, role, from, to, openFor);
  }

  private String roleName() {
    switch (role) {
      case PRIMARY:
        return "Primary store";
      case SECONDARY:
        return "Secondary store";
      default:
        return "Cache tier";
    }
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static BreakerState map(CircuitBreaker.State state) {
    switch (state) {
      case CLOSED:
        return BreakerState.CLOSED;
      case HALF_OPEN:
        return BreakerState.HALF_OPEN;
      default:
        return BreakerState.OPEN;
    }
  }
}
