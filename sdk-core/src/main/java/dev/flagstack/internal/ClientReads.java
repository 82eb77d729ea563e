package dev.flagstack.internal;

import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagNotFoundException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;
import dev.flagstack.InvalidFlagRequestException;
import dev.flagstack.spi.LocalFlagCache;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read paths behind {@code FlagClient}: the synchronous hot path (a hit in the first, in-process
 * tier: lock-free, no allocation, no per-thread state, so a new virtual thread per request costs it
 * nothing), and the full path through the engine. The reads documented never to throw catch everything
 * here, including a tier or a listener that throws.
 *
 * <p>Building the reads binds the engine's {@link RefreshAhead} refresher to the in-process tiers: a hit
 * late in an entry's life may ask for a background reload, which the tier hands over without waiting.
 */
public final class ClientReads {
  private static final Logger log = LoggerFactory.getLogger(ClientReads.class);

  private final ResolutionEngine engine;
  private final LocalFlagCache hotTier;
  private final SafeListener listener;
  private final boolean timed;

  public ClientReads(ResolutionEngine engine) {
    this.engine = engine;
    this.hotTier = engine.hotTier();
    this.listener = engine.listener();
    this.timed = listener.enabled();
    RefreshAhead.bind(engine);
  }

  /** A hit in the first, in-process tier, or null. Ids that reach the cache were validated when stored. */
  public FlagValue hotHit(String entity, String flag) {
    LocalFlagCache hot = hotTier;
    if (hot == null || entity == null || flag == null || engine.isClosed()) {
      return null;
    }
    long start = timed ? System.nanoTime() : 0L;
    FlagValue v;
    try {
      v = hot.getIfPresent(entity, flag);
    } catch (Throwable e) {
      return null; // a broken tier is a miss; the full path logs it
    }
    if (v != null && timed) {
      listener.flagResolved(entity, flag, FlagSource.CACHE, hot.name(), null, System.nanoTime() - start);
    }
    return v;
  }

  /** The value if it can be read and has {@code type} (a LONG widens to DOUBLE), else null. Never throws. */
  public FlagValue typed(String entity, String flag, FlagType type) {
    FlagValue hit = typedHit(entity, flag, type);
    if (hit != null) {
      return hit;
    }
    try {
      return readOrNull(entity, flag, type);
    } catch (Throwable e) {
      log.warn("flag read failed unexpectedly; serving the default", e);
      return null;
    }
  }

  private FlagValue typedHit(String entity, String flag, FlagType type) {
    LocalFlagCache hot = hotTier;
    if (hot == null || entity == null || flag == null || engine.isClosed()) {
      return null;
    }
    long start = timed ? System.nanoTime() : 0L;
    FlagValue v;
    try {
      v = hot.getIfPresent(entity, flag);
    } catch (Throwable e) {
      return null;
    }
    if (v == null || !fits(v, type)) {
      return null;
    }
    if (timed) {
      listener.flagResolved(entity, flag, FlagSource.CACHE, hot.name(), null, System.nanoTime() - start);
    }
    return v;
  }

  private static boolean fits(FlagValue v, FlagType type) {
    return v.type() == type || (type == FlagType.DOUBLE && v.type() == FlagType.LONG);
  }

  private FlagValue readOrNull(String entity, String flag, FlagType type) {
    Resolution r = resolveOne(entity, flag).join();
    if (r.error() != null) {
      if (log.isDebugEnabled()) {
        log.debug("serving the default for flag read: {}", r.error().getMessage());
      }
      return null;
    }
    FlagValue v = r.value();
    if (fits(v, type)) {
      return v;
    }
    log.debug("flag {} is {}, not {}; serving the default", flag, v.type(), type);
    return null;
  }

  /** The value of one flag; the future fails with the {@link FlagException} the read ended with. */
  public CompletableFuture<FlagValue> value(String entity, String flag) {
    FlagValue hit = hotHit(entity, flag);
    if (hit != null) {
      return CompletableFuture.completedFuture(hit);
    }
    return resolveOne(entity, flag).thenApply(ClientReads::valueOrThrow);
  }

  /** One flag's value with where it came from, or the default with why. The future never fails. */
  public CompletableFuture<FlagDetail> detail(String entity, String flag, FlagValue defaultValue) {
    if (defaultValue == null) {
      listener.flagResolved(String.valueOf(entity), String.valueOf(flag), FlagSource.DEFAULT, null,
          FlagErrorKind.INVALID_REQUEST, 0L);
      return CompletableFuture.completedFuture(FlagDetail.defaulted(null, FlagErrorKind.INVALID_REQUEST));
    }
    try {
      FlagValue hit = hotHit(entity, flag);
      if (hit != null) {
        return CompletableFuture.completedFuture(FlagDetail.served(hit, FlagSource.CACHE, hotTier.name()));
      }
      return resolveOne(entity, flag).handle((r, e) -> {
        if (e != null || r == null) {
          return FlagDetail.defaulted(defaultValue, FlagErrorKind.UNAVAILABLE);
        }
        return r.error() == null
            ? FlagDetail.served(r.value(), r.source(), r.layer())
            : FlagDetail.defaulted(defaultValue, r.error().errorKind());
      });
    } catch (Throwable e) {
      log.warn("flag read failed unexpectedly; serving the default", e);
      return CompletableFuture.completedFuture(FlagDetail.defaulted(defaultValue, FlagErrorKind.UNAVAILABLE));
    }
  }

  /** A batch: known flags mapped to values; the future fails if any flag could not be read at all. */
  public CompletableFuture<Map<String, FlagValue>> batch(String entity, Collection<String> flags) {
    long start = System.nanoTime();
    Set<String> batch;
    try {
      batch = engine.validator().checkBatch(entity, flags);
    } catch (InvalidFlagRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return engine.resolve(entity, batch).thenApply(resolutions -> {
      Map<String, FlagValue> values = new LinkedHashMap<>();
      FlagException failure = null;
      long nanos = System.nanoTime() - start;
      for (Map.Entry<String, Resolution> e : resolutions.entrySet()) {
        Resolution r = e.getValue();
        report(entity, e.getKey(), r, nanos);
        if (r.error() == null) {
          values.put(e.getKey(), r.value());
        } else if (!(r.error() instanceof FlagNotFoundException) && failure == null) {
          failure = r.error();
        }
      }
      if (failure != null) {
        throw failure;
      }
      return Collections.unmodifiableMap(values);
    });
  }

  /** The full path for one flag; the future never fails (errors are in the resolution). */
  public CompletableFuture<Resolution> resolveOne(String entity, String flag) {
    long start = System.nanoTime();
    try {
      RequestValidator.checkId("entity", entity);
      RequestValidator.checkId("flag", flag);
    } catch (InvalidFlagRequestException e) {
      listener.flagResolved(String.valueOf(entity), String.valueOf(flag), FlagSource.DEFAULT, null,
          FlagErrorKind.INVALID_REQUEST, System.nanoTime() - start);
      return CompletableFuture.completedFuture(Resolution.failed(e));
    }
    return engine.resolve(entity, Set.of(flag)).thenApply(map -> {
      Resolution r = map.get(flag);
      report(entity, flag, r, System.nanoTime() - start);
      return r;
    });
  }

  private void report(String entity, String flag, Resolution r, long nanos) {
    if (r.error() == null) {
      listener.flagResolved(entity, flag, r.source(), r.layer(), null, nanos);
    } else {
      listener.flagResolved(entity, flag, FlagSource.DEFAULT, null, r.error().errorKind(), nanos);
    }
  }

  /** The value, or the read's error thrown. */
  public static FlagValue valueOrThrow(Resolution r) {
    if (r.error() != null) {
      throw r.error();
    }
    return r.value();
  }

  /** Joins {@code future}, rethrowing a {@link FlagException} as itself rather than wrapped. */
  public static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof FlagException) {
        throw (FlagException) e.getCause();
      }
      throw new FlagException(FlagErrorKind.UNAVAILABLE, "internal error: " + LayerBreaker.describe(e.getCause()), e.getCause());
    }
  }
}
