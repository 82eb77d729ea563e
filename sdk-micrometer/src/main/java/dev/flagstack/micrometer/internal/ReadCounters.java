package dev.flagstack.micrometer.internal;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code flagstack.reads} counters of one flag bucket (every flag, or one flag key): by serving layer
 * and source, and for defaults by error kind. Each counter is registered the first time its combination
 * happens, then found with one map lookup and one array read.
 */
final class ReadCounters {
  private final MeterRegistry registry;
  private final Tags tags;
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byLayer = new ConcurrentHashMap<>();
  private final AtomicReferenceArray<Counter> defaults = new AtomicReferenceArray<>(FlagErrorKind.values().length);

  ReadCounters(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
  }

  Counter served(String layer, FlagSource source) {
    AtomicReferenceArray<Counter> bySource = byLayer.get(layer);
    if (bySource == null) {
      bySource = byLayer.computeIfAbsent(layer, l -> new AtomicReferenceArray<>(FlagSource.values().length));
    }
    Counter c = bySource.get(source.ordinal());
    if (c == null) {
      // The registry returns the same counter to racing threads, so a lost race costs nothing.
      c = Counter.builder(MeterNames.READS).tags(tags)
          .tag(MeterNames.SOURCE, TagValues.of(source)).tag(MeterNames.LAYER, layer)
          .tag(MeterNames.ERROR, TagValues.NONE)
          .description("Flag reads by the source and layer that served them, or the error that made them default")
          .register(registry);
      bySource.set(source.ordinal(), c);
    }
    return c;
  }

  Counter defaulted(FlagErrorKind kind) {
    Counter c = defaults.get(kind.ordinal());
    if (c == null) {
      c = Counter.builder(MeterNames.READS).tags(tags)
          .tag(MeterNames.SOURCE, TagValues.of(FlagSource.DEFAULT)).tag(MeterNames.LAYER, TagValues.NONE)
          .tag(MeterNames.ERROR, TagValues.of(kind))
          .description("Flag reads by the source and layer that served them, or the error that made them default")
          .register(registry);
      defaults.set(kind.ordinal(), c);
    }
    return c;
  }
}
