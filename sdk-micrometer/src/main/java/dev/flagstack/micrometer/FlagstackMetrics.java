package dev.flagstack.micrometer;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import dev.flagstack.micrometer.internal.MeterNames;
import dev.flagstack.micrometer.internal.MeterSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Records a {@link dev.flagstack.FlagClient}'s events as Micrometer meters: reads by source, layer and
 * outcome, read latency, cache tier hits and misses, circuit breaker states and transitions, layer
 * failures. Install it on the client builder, alone or with other listeners:
 *
 * <pre>{@code
 * FlagstackMetrics metrics = FlagstackMetrics.builder(registry).cacheTiers("memory", "redis").build();
 * FlagClient client = FlagClient.builder()
 *     ...
 *     .eventListener(metrics)                 // or FlagEventListener.compose(metrics, other)
 *     .build();
 * }</pre>
 *
 * <p>Tags never hold an entity id; flag keys only when {@link Builder#flagKeys(int)} asks, and then at most
 * that many. After the first read of each combination of layer, source and outcome, an event allocates
 * nothing: the memory tier's hits stay allocation-free with the binding installed. Meters appear the first
 * time they have something to count (cache tier counters named by {@link Builder#cacheTiers} at once).
 * Thread-safe; one instance per client, or share one between clients told apart by {@link Builder#tags}.
 */
public final class FlagstackMetrics extends FlagEventListener {
  /** Counter of reads, tags {@code source}, {@code layer}, {@code error} (and {@code flag} if enabled). */
  public static final String READS = MeterNames.READS;
  /** Timer of read latency, tags {@code source}, {@code layer}. */
  public static final String READ_LATENCY = MeterNames.READ_LATENCY;
  /** Counter of cache tier lookups, tags {@code layer}, {@code result} (hit, miss). */
  public static final String CACHE_GETS = MeterNames.CACHE_GETS;
  /** Gauge, 1 for a breaker's current state and 0 for the others; tags {@code layer}, {@code role}, {@code state}. */
  public static final String BREAKER_STATE = MeterNames.BREAKER_STATE;
  /** Counter of breaker transitions, tags {@code layer}, {@code role}, {@code from}, {@code to}. */
  public static final String BREAKER_TRANSITIONS = MeterNames.BREAKER_TRANSITIONS;
  /** Counter of layer failures during reads, tags {@code layer}, {@code role}, {@code reason}. */
  public static final String LAYER_FAILURES = MeterNames.LAYER_FAILURES;

  /** Flag keys are not tags by default: {@value}. */
  public static final int DEFAULT_FLAG_KEYS = 0;
  /** The most flag keys {@link Builder#flagKeys(int)} accepts: {@value}. */
  public static final int MAX_FLAG_KEYS = 1000;
  /** The {@code flag} tag of reads past the flag-key bound or with an invalid id: {@value}. */
  public static final String OTHER_FLAGS = MeterNames.OTHER_FLAGS;

  private final MeterSet meters;
  private final String description;

  private FlagstackMetrics(Builder b) {
    this.meters = new MeterSet(b.registry, b.tags, b.cacheTiers, b.flagKeys);
    this.description = "FlagstackMetrics{tags=" + b.tags + ", cacheTiers=" + b.cacheTiers
        + ", flagKeys=" + b.flagKeys + '}';
  }

  /** A builder recording into {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  @Override
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    meters.flagResolved(flag, source, layer, errorKind, nanos);
  }

  @Override
  public void layerFailed(String layer, FlagSource role, Throwable error) {
    meters.layerFailed(layer, role, error);
  }

  @Override
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    meters.breakerStateChanged(layer, role, from, to);
  }

  @Override
  public String toString() {
    return description;
  }

  /**
   * Settings of a {@link FlagstackMetrics}. Each setter validates at once and names the option and the
   * bad value; setting an option twice is an {@link IllegalStateException}.
   */
  public static final class Builder {
    private final MeterRegistry registry;
    private Tags tags = Tags.empty();
    private boolean tagsSet;
    private List<String> cacheTiers = List.of();
    private boolean flagKeysSet;
    private int flagKeys = DEFAULT_FLAG_KEYS;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Tags added to every meter, as key-value pairs, e.g. {@code tags("client", "checkout")} to tell two
     * clients apart. Keys the binding uses itself ({@code source}, {@code layer}, ...) are refused.
     */
    public Builder tags(String... keyValues) {
      Objects.requireNonNull(keyValues, "tags");
      if (keyValues.length % 2 != 0) {
        throw new IllegalArgumentException("tags must be key-value pairs, got " + keyValues.length + " strings");
      }
      return tags(Tags.of(keyValues));
    }

    /** Tags added to every meter; see {@link #tags(String...)}. */
    public Builder tags(Iterable<Tag> tags) {
      Objects.requireNonNull(tags, "tags");
      if (tagsSet) {
        throw new IllegalStateException("tags were already set to " + this.tags);
      }
      for (Tag tag : tags) {
        if (MeterNames.RESERVED_TAG_KEYS.contains(tag.getKey())) {
          throw new IllegalArgumentException("tag key '" + tag.getKey() + "' is used by the binding itself; "
              + "reserved: " + MeterNames.RESERVED_TAG_KEYS);
        }
      }
      this.tags = Tags.of(tags);
      this.tagsSet = true;
      return this;
    }

    /**
     * The client's cache tier names in the order they were added to it, e.g. {@code ("memory", "redis")}.
     * With them, a read served below a tier counts as a miss of that tier, so {@code flagstack.cache.gets}
     * gives each tier's hit ratio; without them only hits are counted. Default none.
     */
    public Builder cacheTiers(String... names) {
      Objects.requireNonNull(names, "cacheTiers");
      if (!cacheTiers.isEmpty()) {
        throw new IllegalStateException("cacheTiers were already set to " + cacheTiers);
      }
      if (names.length == 0) {
        throw new IllegalArgumentException("cacheTiers must name at least one tier");
      }
      Set<String> seen = new HashSet<>();
      List<String> list = new ArrayList<>(names.length);
      for (String name : names) {
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException("cacheTiers must not hold a null or blank name, was " + name);
        }
        if (!seen.add(name)) {
          throw new IllegalArgumentException("cacheTiers names '" + name + "' twice");
        }
        list.add(name);
      }
      this.cacheTiers = List.copyOf(list);
      return this;
    }

    /**
     * Adds a {@code flag} tag to {@code flagstack.reads}, for at most {@code max} distinct flag keys (1 to
     * {@value #MAX_FLAG_KEYS}); later keys, and ids the client refused, are counted under
     * {@value #OTHER_FLAGS}. Each key multiplies the series of that meter: keep it to the flags you watch.
     * Default {@value #DEFAULT_FLAG_KEYS}: no flag tag.
     */
    public Builder flagKeys(int max) {
      if (flagKeysSet) {
        throw new IllegalStateException("flagKeys was already set to " + flagKeys);
      }
      if (max < 1 || max > MAX_FLAG_KEYS) {
        throw new IllegalArgumentException("flagKeys must be between 1 and " + MAX_FLAG_KEYS + ", was " + max);
      }
      this.flagKeys = max;
      this.flagKeysSet = true;
      return this;
    }

    /** Builds the binding and registers the meters known up front. */
    public FlagstackMetrics build() {
      return new FlagstackMetrics(this);
    }
  }
}
