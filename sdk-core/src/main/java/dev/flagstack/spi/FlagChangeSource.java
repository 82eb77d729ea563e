package dev.flagstack.spi;

/**
 * A store that can tell the client when flags change (a server stream, a poll of a versioned endpoint), so
 * that cached values are dropped within moments instead of living until their TTL. Optional: a
 * {@link FlagStore} that also implements this interface is watched by the client it is given to.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #watchChanges} returns at once: connecting, polling and reconnecting happen on the source's
 *       own threads, never the caller's.
 *   <li>Each change is reported at least once, at most a documented time after the store learns of it.
 *       A source that loses its connection, or cannot be sure it saw every change, calls
 *       {@link FlagChangeListener#everythingChanged()} once it is back.
 *   <li>Closing the returned handle stops the notices and releases what the watch created; it is idempotent.
 * </ul>
 */
public interface FlagChangeSource {
  /** Starts delivering change notices to {@code listener}; close the handle to stop. */
  AutoCloseable watchChanges(FlagChangeListener listener);
}
