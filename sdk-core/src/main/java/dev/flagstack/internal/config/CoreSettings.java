package dev.flagstack.internal.config;

import dev.flagstack.BreakerSettings;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.spi.LayerConfig;
import java.util.List;
import java.util.Optional;

/** The client's own keys (everything but the layers' settings), applied to a {@link FlagClient.Builder}. */
final class CoreSettings {
  static final String CACHES = "caches";
  static final String PRIMARY_TYPE = "primary.type";
  static final String SECONDARY_TYPE = "secondary.type";

  private CoreSettings() {}

  /** The cache types in order, the primary type and the secondary type (empty if unset). */
  record Layout(List<String> caches, String primary, Optional<String> secondary) {}

  static Layout layout(LayerSettings core) {
    List<String> caches = core.list(CACHES);
    Optional<String> primary = core.string(PRIMARY_TYPE);
    Optional<String> secondary = core.string(SECONDARY_TYPE);
    return new Layout(caches, primary.orElse(null), secondary);
  }

  static void apply(LayerSettings core, FlagClient.Builder b) {
    breaker(core, "primary.breaker.", BreakerSettings.PRIMARY_DEFAULTS).ifPresent(b::primaryBreaker);
    breaker(core, "cache.breaker.", BreakerSettings.CACHE_DEFAULTS).ifPresent(b::cacheBreaker);
    core.apply("secondary.max-concurrency", LayerConfig::intValue, b::secondaryMaxConcurrency)
        .apply("secondary.cache-ttl", LayerConfig::duration, b::secondaryCacheTtl)
        .apply("secondary.cache-max-entries", LayerConfig::intValue, b::secondaryCacheMaxEntries)
        .apply("last-known-good.enabled", LayerConfig::booleanValue, b::lastKnownGood)
        .apply("last-known-good.max-entries", LayerConfig::intValue, b::lastKnownGoodMaxEntries)
        .apply("last-known-good.max-age", LayerConfig::duration, b::lastKnownGoodMaxAge)
        .apply("max-batch-size", LayerConfig::intValue, b::maxBatchSize)
        .apply("watch-changes", LayerConfig::booleanValue, b::watchChanges);
  }

  private static Optional<BreakerSettings> breaker(LayerSettings core, String prefix, BreakerSettings defaults) {
    String[] keys = {"failure-threshold", "open-duration", "max-open-duration", "backoff-multiplier"};
    boolean any = false;
    for (String k : keys) {
      any |= core.has(prefix + k);
    }
    BreakerSettings.Builder breaker = defaults.toBuilder();
    core.apply(prefix + keys[0], LayerConfig::intValue, breaker::failureThreshold)
        .apply(prefix + keys[1], LayerConfig::duration, breaker::openDuration)
        .apply(prefix + keys[2], LayerConfig::duration, breaker::maxOpenDuration)
        .apply(prefix + keys[3], LayerConfig::doubleValue, breaker::backoffMultiplier);
    if (!any) {
      return Optional.empty();
    }
    try {
      return Optional.of(breaker.build());
    } catch (IllegalStateException e) {
      String name = FlatSettings.PREFIX + prefix.substring(0, prefix.length() - 1);
      throw new FlagConfigurationException(name, name + ": " + e.getMessage(), e);
    }
  }
}
