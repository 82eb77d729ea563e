package dev.flagstack.spi;

/**
 * Optional: a cache tier or store that knows whether it is connected to its backend implements this, and
 * {@code FlagClient.status()} reports it as {@code LayerStatus.connected()}. A layer that does not
 * implement it counts as connected; its breaker and its failures still show.
 *
 * <p>The client asks {@link #isConnected()} when it is built, each time a status is taken, after each
 * transient failure of the layer and after an answer while the layer counted as disconnected. A layer
 * that learns of connection changes itself (a driver's connection events) should also run the listeners
 * given to {@link #addConnectionListener}, so that {@code StatusListener}s hear of the change at once.
 */
public interface LayerHealth {
  /** Whether the layer is connected to its backend right now. Cheap, never blocks, never throws. */
  boolean isConnected();

  /**
   * Asks the layer to run {@code listener} whenever {@link #isConnected()} may have changed, on any thread,
   * until it is removed; the client adds one when it is built. A listener is fast and never throws; running
   * it when nothing changed is harmless. The default never runs it: the client then notices a change when
   * it next asks.
   */
  default void addConnectionListener(Runnable listener) {}

  /** Stops running a listener added with {@link #addConnectionListener}; the client removes its own when it closes. */
  default void removeConnectionListener(Runnable listener) {}
}
