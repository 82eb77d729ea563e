package dev.flagstack.cache.redis.internal;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting from Redis, for the tier's own invalidation and for a writer telling every subscribed tier
 * (delete, then publish on the channel).
 */
public final class TierInvalidations {
  private static final Logger log = LoggerFactory.getLogger(TierInvalidations.class);

  private final String tierName;
  private final String prefix;
  private final String channel;
  private final TierCommands commands;

  /** Invalidations through {@code commands}; {@code channel} is null if the tier has none. */
  public TierInvalidations(String tierName, String prefix, String channel, TierCommands commands) {
    this.tierName = tierName;
    this.prefix = prefix;
    this.channel = channel;
    this.commands = commands;
  }

  /** UNLINK of one entry, asynchronously; a failure is logged at debug. */
  public void delete(String entity, String flag) {
    commands.unlink(entity, flag).whenComplete((n, e) -> {
      if (e != null) {
        log.debug("Redis tier '{}' could not delete {}/{}: {}", tierName, entity, flag, Redaction.describe(e));
      }
    });
  }

  /** SCAN and UNLINK of every key of the prefix, asynchronously; a failure is logged at debug. */
  public void deleteAll() {
    commands.unlinkAll().whenComplete((n, e) -> {
      if (e != null) {
        log.debug("Redis tier '{}' could not delete its keys: {}", tierName, Redaction.describe(e));
      } else {
        log.debug("Redis tier '{}' deleted {} keys under prefix {}", tierName, n, prefix);
      }
    });
  }

  /** Deletes one entry, then publishes its eviction. */
  public CompletableFuture<Void> publish(String entity, String flag) {
    String ch = requireChannel();
    return commands.unlink(entity, flag).thenCompose(n -> commands.publish(ch, InvalidationMessage.one(entity, flag)));
  }

  /** Deletes every key of the prefix, then publishes "drop everything". */
  public CompletableFuture<Void> publishAll() {
    String ch = requireChannel();
    return commands.unlinkAll().thenCompose(n -> commands.publish(ch, InvalidationMessage.ALL));
  }

  private String requireChannel() {
    if (channel == null) {
      throw new IllegalStateException("Redis tier '" + tierName + "' has no invalidationChannel");
    }
    return channel;
  }
}
