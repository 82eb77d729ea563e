package dev.flagstack.micrometer.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one layer, found by its name. Registered on first use; the layer names are those the
 * client was built with, so their number is bounded by configuration.
 */
final class LayerMeters {
  private static final int SOURCES = FlagSource.values().length;
  private static final int STATES = BreakerState.values().length;

  final String name;
  /** Position in the configured cache tier order, or -1. Tiers above this one missed when it hits. */
  final int tierIndex;
  private final MeterRegistry registry;
  private final Tags tags;
  private final AtomicReferenceArray<Timer> latency = new AtomicReferenceArray<>(SOURCES);
  private final AtomicReferenceArray<Counter> failures = new AtomicReferenceArray<>(FailureReason.values().length);
  private final AtomicReferenceArray<Counter> transitions = new AtomicReferenceArray<>(STATES * STATES);
  private volatile Counter cacheHits;
  private volatile Counter cacheMisses;
  private volatile Breaker breaker;

  LayerMeters(MeterRegistry registry, Tags tags, String name, int tierIndex) {
    this.registry = registry;
    this.tags = tags;
    this.name = name;
    this.tierIndex = tierIndex;
  }

  Timer latency(FlagSource source) {
    Timer t = latency.get(source.ordinal());
    if (t == null) {
      t = Timer.builder(MeterNames.READ_LATENCY).tags(tags)
          .tag(MeterNames.SOURCE, TagValues.of(source)).tag(MeterNames.LAYER, name)
          .description("Time a flag read took, by the source and layer that served it")
          .register(registry);
      latency.set(source.ordinal(), t);
    }
    return t;
  }

  Counter cacheHits() {
    Counter c = cacheHits;
    if (c == null) {
      c = cacheHits = cacheGets("hit");
    }
    return c;
  }

  Counter cacheMisses() {
    Counter c = cacheMisses;
    if (c == null) {
      c = cacheMisses = cacheGets("miss");
    }
    return c;
  }

  private Counter cacheGets(String result) {
    return Counter.builder(MeterNames.CACHE_GETS).tags(tags)
        .tag(MeterNames.LAYER, name).tag(MeterNames.RESULT, result)
        .description("Cache tier lookups by result: hit when the tier served the read, miss when a tier below it did")
        .register(registry);
  }

  Counter failures(FlagSource role, FailureReason reason) {
    Counter c = failures.get(reason.ordinal());
    if (c == null) {
      c = Counter.builder(MeterNames.LAYER_FAILURES).tags(tags)
          .tag(MeterNames.LAYER, name).tag(MeterNames.ROLE, TagValues.of(role)).tag(MeterNames.REASON, reason.tag())
          .description("Layers that failed or were skipped during a read; the read may still have succeeded below")
          .register(registry);
      failures.set(reason.ordinal(), c);
    }
    return c;
  }

  Counter transitions(FlagSource role, BreakerState from, BreakerState to) {
    int i = from.ordinal() * STATES + to.ordinal();
    Counter c = transitions.get(i);
    if (c == null) {
      c = Counter.builder(MeterNames.BREAKER_TRANSITIONS).tags(tags)
          .tag(MeterNames.LAYER, name).tag(MeterNames.ROLE, TagValues.of(role))
          .tag(MeterNames.FROM, TagValues.of(from)).tag(MeterNames.TO, TagValues.of(to))
          .description("Circuit breaker state transitions of a layer")
          .register(registry);
      transitions.set(i, c);
    }
    return c;
  }

  /** The breaker gauges of this layer, registered (as CLOSED) the first time the layer shows it has one. */
  Breaker breaker(FlagSource role) {
    Breaker b = breaker;
    if (b == null) {
      synchronized (this) {
        b = breaker;
        if (b == null) {
          b = new Breaker();
          for (BreakerState state : BreakerState.values()) {
            Gauge.builder(MeterNames.BREAKER_STATE, b, g -> g.state == state ? 1 : 0).tags(tags)
                .tag(MeterNames.LAYER, name).tag(MeterNames.ROLE, TagValues.of(role))
                .tag(MeterNames.STATE, TagValues.of(state))
                .description("1 for the state the layer's circuit breaker is in, 0 for the others")
                .strongReference(true)
                .register(registry);
          }
          breaker = b;
        }
      }
    }
    return b;
  }

  /** What the breaker gauges read. */
  static final class Breaker {
    volatile BreakerState state = BreakerState.CLOSED;
  }
}
