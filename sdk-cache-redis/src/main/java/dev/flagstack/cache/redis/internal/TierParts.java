package dev.flagstack.cache.redis.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The parts of one Redis tier, wired from its settings: the data path, the change times it checks on
 * reads, the invalidation subscriber, the connections and the invalidations. {@code RedisFlagCache}
 * is the public face; this class only builds, starts and closes the parts.
 */
public final class TierParts {
  public final TierSettings settings;
  public final RedisBackend backend;
  public final ChangeTimes changes;
  public final TierCommands commands;
  public final InvalidationSubscriber subscriber;
  public final TierConnections connections;
  public final TierInvalidations invalidations;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Wires the parts of the tier {@code s}; nothing connects until {@link #start()}. */
  public TierParts(TierSettings s) {
    this.settings = s;
    this.backend = ClientFactory.backend(s);
    this.changes = new ChangeTimes(ChangeTimes.MAX_FLAGS, s.clockSkewAllowance().toMillis(), s.ttl().toMillis());
    this.commands = new TierCommands(s, new KeyCodec(s.prefix()), backend, changes);
    this.subscriber = s.channel() == null ? null : new InvalidationSubscriber(s.name(), s.channel());
    this.connections = new TierConnections(s, backend, commands, subscriber);
    this.invalidations = new TierInvalidations(s, commands);
  }

  /** Starts connecting in the background. */
  public TierParts start() {
    connections.start();
    return this;
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Stops connecting and closes the tier's connections (and the Lettuce client if the tier made it); idempotent. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      commands.close();
      connections.close();
    }
  }
}
