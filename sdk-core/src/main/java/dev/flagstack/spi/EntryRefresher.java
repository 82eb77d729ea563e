package dev.flagstack.spi;

/**
 * Reloads one entry of an in-process tier in the background, through the client's layers: handed to the
 * tier by {@link LocalFlagCache#bindRefresher}. A tier that refreshes ahead of expiry calls it from a read
 * of an entry late in its life, so that a hot key is reloaded before it expires and no reader waits on a
 * remote layer.
 *
 * <p>The reload is an ordinary load of the client (shared with any load of the same key already in flight,
 * behind the same breakers and fallbacks); its value reaches the tier through {@link LocalFlagCache#put},
 * like any other load's, and a reload that fails writes nothing. {@link #refresh} returns at once, never
 * blocks and never throws.
 */
public interface EntryRefresher {
  /**
   * Starts a background reload of {@code entity}'s {@code flag}, unless a load of it is already in flight.
   *
   * @return false if this refresher can no longer reload anything (its client was closed): the tier should
   *     forget it; true otherwise
   */
  boolean refresh(String entity, String flag);
}
