package dev.flagstack.cache.redis.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting from Redis, for the tier's own invalidation and for a writer telling every subscribed tier
 * (delete, then publish on the channel).
 *
 * <p>Every invalidation runs twice: now, and once more after the repeat delay. A load that read the old
 * value before the change may write it to Redis just after the first delete (its SET was in flight, or its
 * primary call returned late); without the repeat, every process would then be served that old value for
 * the entry's whole TTL. The repeat deletes it again and, for a published invalidation, publishes again
 * so the tiers above every subscribed tier drop a copy they read meanwhile. The bound this gives is
 * documented on {@code RedisFlagCache.Builder#invalidationRepeatDelay}.
 */
public final class TierInvalidations {
  private static final Logger log = LoggerFactory.getLogger(TierInvalidations.class);

  private final String tierName;
  private final String prefix;
  private final String channel;
  private final TierCommands commands;
  private final ScheduledExecutorService timer;
  private final long repeatNanos;

  /** Invalidations through {@code commands}, repeated on its timer; the tier may have no channel. */
  public TierInvalidations(TierSettings s, TierCommands commands) {
    this.tierName = s.name();
    this.prefix = s.prefix();
    this.channel = s.channel();
    this.commands = commands;
    this.timer = commands.timer();
    this.repeatNanos = s.invalidationRepeatDelay().toNanos();
  }

  /** UNLINK of one entry, asynchronously, now and after the repeat delay; a failure is logged at debug. */
  public void delete(String entity, String flag) {
    twice(() -> logged(commands.unlink(entity, flag), "delete " + entity + "/" + flag));
  }

  /** SCAN and UNLINK of every key of the prefix, now and after the repeat delay; failures logged at debug. */
  public void deleteAll() {
    twice(() -> logged(commands.unlinkAll().thenAccept(n ->
        log.debug("Redis tier '{}' deleted {} keys under prefix {}", tierName, n, prefix)), "delete its keys"));
  }

  /** Deletes one entry, then publishes its eviction; both again after the repeat delay. */
  public CompletableFuture<Void> publish(String entity, String flag) {
    String ch = requireChannel();
    return twice(() -> commands.unlink(entity, flag)
        .thenCompose(n -> commands.publish(ch, InvalidationMessage.one(entity, flag))));
  }

  /** Deletes every key of the prefix, then publishes "drop everything"; both again after the repeat delay. */
  public CompletableFuture<Void> publishAll() {
    String ch = requireChannel();
    return twice(() -> commands.unlinkAll().thenCompose(n -> commands.publish(ch, InvalidationMessage.ALL)));
  }

  /** Runs {@code round} now and schedules it once more; returns the first round's outcome. */
  private <T> CompletableFuture<T> twice(Supplier<CompletableFuture<T>> round) {
    CompletableFuture<T> first = round.get();
    try {
      timer.schedule(() -> round.get().whenComplete((v, e) -> {
        if (e == null) {
          return;
        }
        if (first.isDone() && !first.isCompletedExceptionally()) {
          // The first round worked, so a value written in between may now outlive the bound.
          log.warn("Redis tier '{}' could not repeat an invalidation; a value written just after the first "
              + "delete may be served until it expires: {}", tierName, Redaction.describe(e));
        } else {
          log.debug("Redis tier '{}' could not repeat an invalidation: {}", tierName, Redaction.describe(e));
        }
      }), repeatNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      log.debug("Redis tier '{}' is closed: not repeating an invalidation", tierName);
    }
    return first;
  }

  private <T> CompletableFuture<T> logged(CompletableFuture<T> done, String what) {
    done.whenComplete((v, e) -> {
      if (e != null) {
        log.debug("Redis tier '{}' could not {}: {}", tierName, what, Redaction.describe(e));
      }
    });
    return done;
  }

  private String requireChannel() {
    if (channel == null) {
      throw new IllegalStateException("Redis tier '" + tierName + "' has no invalidationChannel");
    }
    return channel;
  }
}
