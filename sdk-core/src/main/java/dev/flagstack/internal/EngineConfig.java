package dev.flagstack.internal;

import dev.flagstack.BreakerSettings;
import dev.flagstack.FlagEventListener;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Everything the engine needs, validated by the public builder. */
public record EngineConfig(
    List<FlagCache> tiers,
    FlagStore primary,
    FlagStore secondary,
    BreakerSettings primaryBreaker,
    BreakerSettings cacheBreaker,
    int secondaryMaxConcurrency,
    Duration secondaryCacheTtl,
    int secondaryCacheMaxEntries,
    boolean lastKnownGood,
    int lastKnownGoodMaxEntries,
    Duration lastKnownGoodMaxAge,
    int maxBatchSize,
    Clock clock,
    FlagEventListener listener) {}
