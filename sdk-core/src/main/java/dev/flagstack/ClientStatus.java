package dev.flagstack;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The state of every layer of a {@link FlagClient} at one moment, from {@link FlagClient#status()}: for
 * readiness probes and logs. Immutable.
 *
 * <pre>{@code
 * ClientStatus status = client.status();
 * if (!status.canLoad()) {
 *   // neither store can be called: reads get cached, last-known-good or default values only
 * }
 * log.info("{}", status);   // one line per layer, never a secret
 * }</pre>
 *
 * <p>The client is {@link #degraded()} when any layer is not {@link LayerStatus#available()} or its last
 * call failed; it still answers every read it can from the layers that work. It {@link #canLoad()} while the primary or the
 * secondary is available.
 */
public final class ClientStatus {
  private final Instant takenAt;
  private final List<LayerStatus> layers;
  private final List<LayerStatus> caches;
  private final LayerStatus primary;
  private final LayerStatus secondary;

  private ClientStatus(Instant takenAt, List<LayerStatus> layers, List<LayerStatus> caches, LayerStatus primary,
      LayerStatus secondary) {
    this.takenAt = takenAt;
    this.layers = layers;
    this.caches = caches;
    this.primary = primary;
    this.secondary = secondary;
  }

  /**
   * A status taken at {@code takenAt} of {@code layers} in read order: the cache tiers, the primary, then
   * the secondary if there is one.
   *
   * @throws IllegalArgumentException unless there is exactly one primary, at most one secondary, and no cache
   *     tier after a store
   */
  public static ClientStatus of(Instant takenAt, List<LayerStatus> layers) {
    Objects.requireNonNull(takenAt, "takenAt");
    List<LayerStatus> all = List.copyOf(Objects.requireNonNull(layers, "layers"));
    List<LayerStatus> caches = new ArrayList<>();
    LayerStatus primary = null;
    LayerStatus secondary = null;
    for (LayerStatus layer : all) {
      if (layer.role() == FlagSource.CACHE) {
        if (primary != null || secondary != null) {
          throw new IllegalArgumentException("cache tier '" + layer.name() + "' is listed after a store: " + all);
        }
        caches.add(layer);
      } else if (layer.role() == FlagSource.PRIMARY && primary == null && secondary == null) {
        primary = layer;
      } else if (layer.role() == FlagSource.SECONDARY && primary != null && secondary == null) {
        secondary = layer;
      } else {
        throw new IllegalArgumentException("layers must be the caches, one primary, then at most one secondary: "
            + all);
      }
    }
    if (primary == null) {
      throw new IllegalArgumentException("layers must include the primary: " + all);
    }
    return new ClientStatus(takenAt, all, List.copyOf(caches), primary, secondary);
  }

  /** When this status was taken, on the client's clock. */
  public Instant takenAt() {
    return takenAt;
  }

  /** Every layer in read order: the cache tiers, the primary, then the secondary if there is one. */
  public List<LayerStatus> layers() {
    return layers;
  }

  /** The cache tiers, in read order. */
  public List<LayerStatus> caches() {
    return caches;
  }

  /** The primary store. */
  public LayerStatus primary() {
    return primary;
  }

  /** The secondary store, or null if the client has none. */
  public LayerStatus secondary() {
    return secondary;
  }

  /** Whether some layer is not {@link LayerStatus#available() available} or its last call failed. */
  public boolean degraded() {
    for (LayerStatus layer : layers) {
      if (!layer.available() || layer.failing()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a flag no cache holds can be loaded now: the primary or the secondary is available. When not,
   * reads are served only from the cache tiers and last-known-good values, or get the caller's default.
   */
  public boolean canLoad() {
    return primary.available() || (secondary != null && secondary.available());
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ClientStatus)) {
      return false;
    }
    ClientStatus that = (ClientStatus) o;
    return takenAt.equals(that.takenAt) && layers.equals(that.layers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(takenAt, layers);
  }

  /** A summary, then one line per layer ({@link LayerStatus#toString()}). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FlagClient status at ").append(takenAt).append(": ")
        .append(!canLoad() ? "cannot load" : degraded() ? "degraded" : "healthy");
    for (LayerStatus layer : layers) {
      sb.append("\n  ").append(layer);
    }
    return sb.toString();
  }
}
