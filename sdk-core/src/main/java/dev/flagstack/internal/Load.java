package dev.flagstack.internal;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagNotFoundException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagUnavailableException;
import dev.flagstack.FlagValue;
import dev.flagstack.InvalidFlagRequestException;
import dev.flagstack.LayerFailure;
import dev.flagstack.spi.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load of the flags one caller owns for one entity, walking the layers below the in-process prefix
 * strictly in order: remote tiers, the primary, the secondary, then last-known-good. Its state needs no
 * locking; completion of each stage publishes it to the next. Every flag it owns is resolved exactly
 * once, whatever happens, including a bug in a layer or in the engine.
 */
final class Load implements SecondaryFallback.Sink {
  private static final Logger log = LoggerFactory.getLogger(Load.class);
  /** The stamp of a value copied up from a lower tier, whose own load time the client does not know. */
  static final long UNKNOWN_LOAD_TIME = 0L;

  private final ResolutionEngine engine;
  private final String entity;
  private final Map<String, CompletableFuture<Resolution>> pending;
  /** Each flag's invalidation generation when the load began: see {@link Generations}. */
  private final Map<String, Long> seen;
  /**
   * The client clock's millis when the load began, before it read any layer below the in-process prefix:
   * the stamp a shared tier keeps beside each value the load writes back.
   */
  private final long startedMillis;
  private final List<LayerFailure> failures = new ArrayList<>(2);

  Load(ResolutionEngine engine, String entity, Map<String, CompletableFuture<Resolution>> owned,
      Map<String, Long> seen) {
    this.engine = engine;
    this.entity = entity;
    this.pending = new LinkedHashMap<>(owned);
    this.seen = seen;
    this.startedMillis = engine.clock.millis();
  }

  void start() {
    try {
      CompletableFuture<Void> stage = CompletableFuture.completedFuture(null);
      CacheTiers tiers = engine.tiers;
      for (int i = tiers.localPrefix(); i < tiers.size(); i++) {
        int index = i;
        stage = stage.thenCompose(v -> pending.isEmpty() ? done() : readTier(index));
      }
      stage.thenCompose(v -> pending.isEmpty() ? done() : readPrimary())
          .thenCompose(v -> pending.isEmpty() || engine.secondary == null ? done()
              : engine.secondary.read(entity, pendingFlags(), this))
          .whenComplete((v, e) -> {
            if (e != null) {
              internalError(e);
            }
            finish();
          });
    } catch (Throwable e) {
      internalError(e);
      finish();
    }
  }

  private void internalError(Throwable e) {
    log.error("flag load failed unexpectedly; serving last-known-good values or errors", e);
    failures.add(new LayerFailure("flagstack", FlagSource.PRIMARY, "internal error: " + LayerBreaker.describe(e)));
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private void resolve(String flag, Resolution resolution) {
    CompletableFuture<Resolution> f = pending.remove(flag);
    if (f != null) {
      engine.inFlight.finish(FlagKey.of(entity, flag), f, resolution);
    }
  }

  private Set<String> pendingFlags() {
    return Set.copyOf(pending.keySet());
  }

  private CompletableFuture<Void> readTier(int index) {
    return engine.tiers.read(index, entity, pendingFlags()).thenAccept(hits -> {
      if (hits.isEmpty()) {
        return;
      }
      // When such a value was loaded is unknown here: a remote tier above gets the oldest stamp there is.
      engine.tiers.write(entity, hits, seen, index, UNKNOWN_LOAD_TIME);
      String name = engine.tiers.cache(index).name();
      hits.forEach((flag, value) -> {
        engine.lastKnownGood.remember(entity, flag, value, name, seen.get(flag));
        resolve(flag, Resolution.served(value, FlagSource.CACHE, name));
      });
    });
  }

  private CompletableFuture<Void> readPrimary() {
    String name = engine.primary.name();
    Set<String> flags = pendingFlags();
    return engine.guarded.call(name, engine.primaryTimeout, engine.primaryBreaker,
            () -> engine.primary.getFlags(entity, flags))
        .handle((found, error) -> {
          Throwable e = error != null ? error
              : found == null ? StoreException.transientFailure(name + " returned no map", null) : null;
          if (e == BreakerOpen.INSTANCE) {
            failures.add(new LayerFailure(name, FlagSource.PRIMARY, "circuit breaker open"));
            engine.listener.layerFailed(name, FlagSource.PRIMARY, e);
            return null;
          }
          if (e != null) {
            engine.listener.layerFailed(name, FlagSource.PRIMARY, e);
            if (!StoreException.isTransient(e)) {
              FlagException toCaller = callerError(e);
              flags.forEach(flag -> resolve(flag, Resolution.failed(toCaller)));
            } else {
              failures.add(new LayerFailure(name, FlagSource.PRIMARY, LayerBreaker.describe(e)));
              log.debug("primary store '{}' failed: {}", name, LayerBreaker.describe(e));
            }
            return null;
          }
          Map<String, FlagValue> values = new HashMap<>();
          for (String flag : flags) {
            FlagValue value = found.get(flag);
            if (value != null) {
              values.put(flag, value);
            }
          }
          // Cache first, then answer: a caller arriving once this load has left the in-flight map
          // finds the value in memory instead of starting a second load.
          engine.tiers.write(entity, values, seen, engine.tiers.size(), startedMillis);
          for (String flag : flags) {
            FlagValue value = values.get(flag);
            if (value != null) {
              engine.lastKnownGood.remember(entity, flag, value, name, seen.get(flag));
              resolve(flag, Resolution.served(value, FlagSource.PRIMARY, name));
            } else {
              notFound(flag);
            }
          }
          return null;
        });
  }

  @Override
  public void served(String flag, FlagValue value) {
    String name = engine.secondary.name();
    engine.lastKnownGood.remember(entity, flag, value, name, seen.get(flag));
    resolve(flag, Resolution.served(value, FlagSource.SECONDARY, name));
  }

  /** An authoritative not-found: the flag is gone, so its last-known-good value goes too. */
  @Override
  public void notFound(String flag) {
    engine.lastKnownGood.forget(entity, flag);
    resolve(flag, Resolution.failed(new FlagNotFoundException(flag)));
  }

  @Override
  public void refused(String flag, FlagException error) {
    resolve(flag, Resolution.failed(error));
  }

  @Override
  public void failed(LayerFailure failure) {
    failures.add(failure);
  }

  /** Whatever is still pending failed everywhere: serve last-known-good or report unavailability. */
  private void finish() {
    try {
      for (String flag : pendingFlags()) {
        Resolution stale = engine.lastKnownGood.staleOrNull(entity, flag);
        resolve(flag, stale != null ? stale : Resolution.failed(new FlagUnavailableException(flag, failures)));
      }
    } catch (Throwable e) {
      log.error("flag load failed to finish; failing its reads", e);
      FlagException error = new FlagException(FlagErrorKind.UNAVAILABLE, "internal error: " + LayerBreaker.describe(e));
      for (String flag : pendingFlags()) {
        resolve(flag, Resolution.failed(error));
      }
    }
  }

  /** The error a caller sees for a non-transient store failure. */
  static FlagException callerError(Throwable e) {
    if (e instanceof FlagException) {
      FlagException fe = (FlagException) e;
      if (fe.errorKind() == FlagErrorKind.INVALID_REQUEST && !(fe instanceof InvalidFlagRequestException)) {
        return new InvalidFlagRequestException(fe.getMessage(), fe);
      }
      return fe;
    }
    return StoreException.rejected(LayerBreaker.describe(e), e);
  }
}
