package dev.flagstack.micrometer.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every meter of one binding, and what each event moves. After a combination of layer, source and error
 * has been seen once, an event costs map lookups on Strings the caller already holds, array reads and
 * counter increments: nothing is allocated and no {@code Tags} are built.
 */
public final class MeterSet {
  private final MeterRegistry registry;
  private final Tags tags;
  private final ConcurrentHashMap<String, LayerMeters> layers = new ConcurrentHashMap<>();
  /** The configured cache tiers in read order; empty when not configured. */
  private final LayerMeters[] tiers;
  private final int maxFlagKeys;
  private final ReadCounters allFlags;
  private final ConcurrentHashMap<String, ReadCounters> byFlag = new ConcurrentHashMap<>();
  private final ReadCounters otherFlags;
  private final Timer defaultLatency;

  public MeterSet(MeterRegistry registry, Iterable<Tag> commonTags, List<String> cacheTiers, int maxFlagKeys) {
    this.registry = registry;
    this.tags = Tags.of(commonTags);
    this.maxFlagKeys = maxFlagKeys;
    this.tiers = new LayerMeters[cacheTiers.size()];
    for (int i = 0; i < tiers.length; i++) {
      LayerMeters tier = new LayerMeters(registry, tags, cacheTiers.get(i), i);
      tier.cacheHits();
      tier.cacheMisses();
      layers.put(tier.name, tier);
      tiers[i] = tier;
    }
    this.allFlags = maxFlagKeys == 0 ? new ReadCounters(registry, tags) : null;
    this.otherFlags = maxFlagKeys == 0 ? null
        : new ReadCounters(registry, tags.and(MeterNames.FLAG, MeterNames.OTHER_FLAGS));
    this.defaultLatency = Timer.builder(MeterNames.READ_LATENCY).tags(tags)
        .tag(MeterNames.SOURCE, TagValues.of(FlagSource.DEFAULT)).tag(MeterNames.LAYER, TagValues.NONE)
        .description("Time a flag read took, by the source and layer that served it")
        .register(registry);
  }

  public void flagResolved(String flag, FlagSource source, String layer, FlagErrorKind errorKind, long nanos) {
    if (source == FlagSource.DEFAULT || layer == null) {
      FlagErrorKind kind = errorKind == null ? FlagErrorKind.UNAVAILABLE : errorKind;
      reads(flag, kind).defaulted(kind).increment();
      defaultLatency.record(nanos, TimeUnit.NANOSECONDS);
      if (kind != FlagErrorKind.INVALID_REQUEST) {
        missedBelow(tiers.length);
      }
      return;
    }
    LayerMeters meters = layer(layer);
    reads(flag, null).served(layer, source).increment();
    meters.latency(source).record(nanos, TimeUnit.NANOSECONDS);
    if (source == FlagSource.CACHE) {
      meters.cacheHits().increment();
      missedBelow(meters.tierIndex < 0 ? 0 : meters.tierIndex);
    } else {
      missedBelow(tiers.length);
      if (source == FlagSource.PRIMARY) {
        meters.breaker(source);
      }
    }
  }

  public void layerFailed(String layer, FlagSource role, Throwable error) {
    LayerMeters meters = layer(layer);
    meters.failures(role, FailureReason.of(role, error)).increment();
    if (role == FlagSource.PRIMARY || role == FlagSource.CACHE) {
      // Only layers with a breaker fail this way: the in-process tier cannot fail.
      meters.breaker(role);
    }
  }

  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to) {
    LayerMeters meters = layer(layer);
    meters.breaker(role).state = to;
    meters.transitions(role, from, to).increment();
  }

  /** Counts a miss for each of the first {@code count} configured tiers. */
  private void missedBelow(int count) {
    for (int i = 0; i < count; i++) {
      tiers[i].cacheMisses().increment();
    }
  }

  private LayerMeters layer(String name) {
    LayerMeters m = layers.get(name);
    if (m == null) {
      m = layers.computeIfAbsent(name, n -> new LayerMeters(registry, tags, n, -1));
    }
    return m;
  }

  private ReadCounters reads(String flag, FlagErrorKind errorKind) {
    if (maxFlagKeys == 0) {
      return allFlags;
    }
    if (errorKind == FlagErrorKind.INVALID_REQUEST) {
      // The id may be anything a caller sent: never a tag value.
      return otherFlags;
    }
    ReadCounters r = byFlag.get(flag);
    if (r != null) {
      return r;
    }
    return byFlag.size() >= maxFlagKeys ? otherFlags : addFlag(flag);
  }

  private synchronized ReadCounters addFlag(String flag) {
    ReadCounters r = byFlag.get(flag);
    if (r == null) {
      if (byFlag.size() >= maxFlagKeys) {
        return otherFlags;
      }
      r = new ReadCounters(registry, tags.and(MeterNames.FLAG, flag));
      byFlag.put(flag, r);
    }
    return r;
  }
}
