package dev.flagstack;

import dev.flagstack.internal.config.ClientAssembler;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link FlagClient} built by {@link FlagClientConfig} together with the layers the configuration created
 * for it. A client never closes the layers it was given, so close this instead of the client: it closes the
 * client, then the secondary, the primary and the cache tiers. Thread-safe; {@link #close()} is idempotent.
 */
public final class ConfiguredFlagClient implements AutoCloseable {
  private final FlagClient client;
  private final ClientAssembler.Assembly layers;
  private final AtomicBoolean closed = new AtomicBoolean();

  ConfiguredFlagClient(FlagClient client, ClientAssembler.Assembly layers) {
    this.client = client;
    this.layers = layers;
  }

  /** The client; share it. */
  public FlagClient client() {
    return client;
  }

  /** The cache tiers, in the order they are read. */
  public List<FlagCache> caches() {
    return layers.caches();
  }

  /** The primary store. */
  public FlagStore primary() {
    return layers.primary();
  }

  /** The secondary store, if one is configured. */
  public Optional<FlagStore> secondary() {
    return Optional.ofNullable(layers.secondary());
  }

  /** Closes the client, then every layer, last created first. A layer that fails to close is logged and skipped. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.close();
      layers.closeLayers();
    }
  }

  @Override
  public String toString() {
    return "ConfiguredFlagClient{" + client + '}';
  }
}
