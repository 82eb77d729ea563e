package dev.flagstack.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;

/**
 * The last value this client saw per (entity, flag), served as STALE when every layer fails. An
 * authoritative not-found (from the primary or the secondary) and an invalidation remove the entry, so a
 * deleted flag never comes back from here.
 */
final class LastKnownGood {
  private final Cache<FlagKey, Stale> values;

  LastKnownGood(EngineSettings settings, Ticker ticker) {
    this.values = settings.lastKnownGood()
        ? Caffeine.newBuilder()
            .maximumSize(settings.lastKnownGoodMaxEntries())
            .expireAfterWrite(settings.lastKnownGoodMaxAge())
            .ticker(ticker)
            .executor(Runnable::run)
            .build()
        : null;
  }

  void remember(String entity, String flag, FlagValue value, String layer) {
    if (values != null) {
      values.put(FlagKey.of(entity, flag), new Stale(value, layer));
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
