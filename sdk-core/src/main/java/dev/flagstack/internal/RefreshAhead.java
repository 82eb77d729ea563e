package dev.flagstack.internal;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.spi.EntryRefresher;
import dev.flagstack.spi.LocalFlagCache;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background reloads asked for by the in-process tiers (refresh ahead of expiry). A reload is the miss
 * branch of {@link ResolutionEngine#resolve} without a caller: it notes the key's generation, registers in
 * {@link InFlightLoads} (or leaves the key to the load already in flight) and starts a {@link Load} below
 * the in-process tiers, which writes what it finds back to the tiers under the usual invalidation rules.
 * Nobody waits on it, and a reload that fails writes nothing, so the tier keeps its value until it expires.
 *
 * <p>{@link #refresh} only hands the reload to the client's executor: the reader that triggered it never
 * runs any layer.
 */
final class RefreshAhead implements EntryRefresher {
  private static final Logger log = LoggerFactory.getLogger(RefreshAhead.class);

  private final ResolutionEngine engine;

  private RefreshAhead(ResolutionEngine engine) {
    this.engine = engine;
  }

  /** Binds a refresher of {@code engine} to each in-process tier read before any remote one. */
  static void bind(ResolutionEngine engine) {
    RefreshAhead refresher = new RefreshAhead(engine);
    CacheTiers tiers = engine.tiers;
    for (int i = 0; i < tiers.localPrefix(); i++) {
      LocalFlagCache tier = (LocalFlagCache) tiers.cache(i);
      try {
        tier.bindRefresher(refresher);
      } catch (Throwable e) {
        log.warn("cache tier '{}' failed to accept its refresher; it will not refresh ahead: {}", tier.name(),
            LayerBreaker.describe(e));
      }
    }
  }

  @Override
  public boolean refresh(String entity, String flag) {
    if (engine.isClosed()) {
      return false;
    }
    if (entity == null || flag == null) {
      return true;
    }
    try {
      engine.threads.execute(() -> reload(entity, flag));
    } catch (Throwable e) {
      log.debug("refresh of a flag could not be scheduled: {}", LayerBreaker.describe(e));
    }
    return true;
  }

  private void reload(String entity, String flag) {
    if (engine.isClosed()) {
      return;
    }
    FlagKey key = FlagKey.of(entity, flag);
    long generation = engine.generations.of(entity, flag);
    CompletableFuture<Resolution> mine = new CompletableFuture<>();
    if (engine.inFlight.registerOrJoin(key, mine) != null) {
      return; // a load of this key is on its way and will write the tiers
    }
    try {
      new Load(engine, entity, Map.of(flag, mine), Map.of(flag, generation)).start();
    } catch (Throwable e) {
      log.error("background refresh failed unexpectedly", e);
      engine.inFlight.finish(key, mine, Resolution.failed(
          new FlagException(FlagErrorKind.UNAVAILABLE, "internal error: " + LayerBreaker.describe(e))));
    }
  }
}
