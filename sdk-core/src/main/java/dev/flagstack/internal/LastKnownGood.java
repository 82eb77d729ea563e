package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;

/**
 * The last value this client saw per (entity, flag), served as STALE when every layer fails. An
 * authoritative not-found (from the primary or the secondary) and {@code invalidate(entity, flag)} remove
 * the entry, so a flag the client was told is gone or changed never comes back from here. A value found by
 * a load that an invalidation overtook is not remembered ({@link Generations}).
 */
final class LastKnownGood {
  private final Cache<FlagKey, Stale> values;
  private final Generations generations;

  LastKnownGood(EngineSettings settings, Ticker ticker, Generations generations) {
    this.generations = generations;
    this.values = settings.lastKnownGood()
        ? Caffeine.newBuilder()
            .maximumSize(settings.lastKnownGoodMaxEntries())
            .expireAfterWrite(settings.lastKnownGoodMaxAge())
            .ticker(ticker)
            .executor(Runnable::run)
            .build()
        : null;
  }

  /** Remembers a value found by a load that began at generation {@code seen}, unless invalidated since. */
  void remember(String entity, String flag, FlagValue value, String layer, long seen) {
    if (values == null || !generations.unchanged(entity, flag, seen)) {
      return;
    }
    FlagKey key = FlagKey.of(entity, flag);
    Stale stale = new Stale(value, layer);
    values.put(key, stale);
    if (!generations.unchanged(entity, flag, seen)) {
      values.asMap().remove(key, stale);
    }
  }

  /** The remembered value as a STALE resolution, or null. */
  Resolution staleOrNull(String entity, String flag) {
    Stale stale = values == null ? null : values.getIfPresent(FlagKey.of(entity, flag));
    return stale == null ? null : Resolution.served(stale.value, FlagSource.STALE, stale.layer);
  }

  void forget(String entity, String flag) {
    if (values != null) {
      values.invalidate(FlagKey.of(entity, flag));
    }
  }

  void forgetAll() {
    if (values != null) {
      values.invalidateAll();
    }
  }

  private static final class Stale {
    final FlagValue value;
    final String layer;

    Stale(FlagValue value, String layer) {
      this.value = value;
      this.layer = layer;
    }
  }
}
