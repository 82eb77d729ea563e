package dev.flagstack.cache.redis.internal;

import dev.flagstack.spi.CacheInvalidator;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tier's side of the invalidation channel: subscribes on each new pub/sub connection, flushes the
 * tiers above on every (re)subscription, and evicts what each message names from them.
 */
public final class InvalidationSubscriber {
  private static final Logger log = LoggerFactory.getLogger(InvalidationSubscriber.class);

  private final String tierName;
  private final String channel;
  private volatile CacheInvalidator tiersAbove;

  /** A subscriber of {@code channel} for the tier called {@code tierName} (in logs). */
  public InvalidationSubscriber(String tierName, String channel) {
    this.tierName = tierName;
    this.channel = channel;
  }

  /** Where evictions go from now on; until then messages are dropped. */
  public void bind(CacheInvalidator tiersAbove) {
    this.tiersAbove = Objects.requireNonNull(tiersAbove, "tiersAbove");
  }

  /** Listens on a new pub/sub connection and subscribes; Lettuce resubscribes after reconnects. */
  public void onConnected(StatefulRedisPubSubConnection<String, String> c) {
    c.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void subscribed(String ch, long count) {
        if (channel.equals(ch)) {
          // Covers the first subscription and every resubscription after a reconnect: messages published
          // while we were not subscribed are lost, so whatever the tiers above hold may be stale.
          log.debug("Redis tier '{}' subscribed to {}; flushing the tiers above", tierName, ch);
          CacheInvalidator above = tiersAbove;
          if (above != null) {
            above.invalidateAll();
          }
        }
      }

      @Override
      public void message(String ch, String message) {
        if (channel.equals(ch)) {
          onMessage(message);
        }
      }
    });
    c.async().subscribe(channel).whenComplete((v, e) -> {
      if (e != null) {
        log.warn("Redis tier '{}' could not subscribe to {}: {}", tierName, channel, Redaction.describe(e));
      }
    });
  }

  /** Evicts what {@code message} names from the tiers above; garbage is logged at debug and ignored. */
  void onMessage(String message) {
    InvalidationMessage parsed = InvalidationMessage.parse(message);
    if (parsed == null) {
      if (log.isDebugEnabled()) {
        String shown = message == null ? "null"
            : message.length() > 80 ? message.substring(0, 80) + "..." : message;
        log.debug("Redis tier '{}': ignoring a malformed invalidation message on {}: {}", tierName, channel, shown);
      }
      return;
    }
    CacheInvalidator above = tiersAbove;
    if (above == null) {
      return;
    }
    try {
      if (parsed.isAll()) {
        above.invalidateAll();
      } else {
        above.invalidate(parsed.entity(), parsed.flag());
      }
    } catch (RuntimeException e) {
      log.warn("Redis tier '{}': evicting from the tiers above failed: {}", tierName, Redaction.describe(e));
    }
  }
}
