package dev.flagstack.spi;

import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A cache tier. The client consults tiers in the order they were added, fills the tiers above a tier that
 * hit, and writes every value the primary store returns to every tier.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>A cache never fails a read: a tier that is slow, down or broken is a miss. The client enforces
 *       this for a remote tier with a circuit breaker and a {@link #timeBudget()}: a lookup that fails or
 *       exceeds the budget is counted against the breaker and treated as a miss, and while the breaker is
 *       open the tier is skipped entirely.
 *   <li>An in-process tier implements {@link LocalFlagCache}; it gets no breaker, no budget and no
 *       futures, so a hit costs a map lookup.
 *   <li>{@link #getAll} returns the cached subset of {@code flags}; missing flags are absent.
 *       {@link #putAll} is fire-and-forget: the client logs a failed write and never surfaces it.
 *   <li>Implementations are thread-safe. {@link #close()} releases only what the tier created.
 * </ul>
 */
public interface FlagCache extends AutoCloseable {
  /** The default time budget of a remote tier's lookup: 100 ms. */
  Duration DEFAULT_TIME_BUDGET = Duration.ofMillis(100);

  /** A short name for logs, events and {@code FlagDetail.layer()}, such as {@code "memory"} or {@code "redis"}. */
  String name();

  /**
   * The longest a lookup may take before it counts as a miss and a failure. Read once when a client is
   * built (not for a {@link LocalFlagCache}); must be positive; values over 1 minute are clamped to 1 minute.
   */
  default Duration timeBudget() {
    return DEFAULT_TIME_BUDGET;
  }

  /** The cached values among {@code flags} for {@code entity}. */
  CompletionStage<Map<String, FlagValue>> getAll(String entity, Set<String> flags);

  /** Stores {@code values} for {@code entity}. */
  CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values);

  /**
   * Stores {@code values}, loaded by a read that began at {@code loadStartedMillis} (epoch millis on the
   * client's clock). A shared tier keeps the stamp beside each value, so that a change notice received by
   * any client can reject values loaded before the change (see {@link #flagsChanged}). The client calls
   * this method; the default ignores the stamp.
   */
  default CompletionStage<Void> putAll(String entity, Map<String, FlagValue> values, long loadStartedMillis) {
    return putAll(entity, values);
  }

  /**
   * The definitions of {@code flags} changed, and the client learnt of it at {@code atMillis} (epoch millis
   * on its clock): from now on the tier must not serve, for any entity, a value of these flags loaded
   * before then. An in-process tier drops the entries; a shared tier need not enumerate its keys (it may
   * instead refuse, on read, values whose load stamp is older). The default drops everything.
   */
  default void flagsChanged(Set<String> flags, long atMillis) {
    invalidateAll();
  }

  /**
   * Anything may have changed, as of {@code atMillis}: the tier must not serve a value loaded before then.
   * The default drops everything.
   */
  default void everythingChanged(long atMillis) {
    invalidateAll();
  }

  /** Drops one entry from this tier. */
  void invalidate(String entity, String flag);

  /** Drops every entry this tier holds for this client (a shared tier may drop only its own keys). */
  void invalidateAll();

  /**
   * Called once when a client is built, with a handle on the tiers above this one. A shared tier that
   * learns of changes (a pub/sub message, a reconnect that may have lost messages) uses it to evict stale
   * entries from the faster tiers. The default ignores it.
   */
  default void bind(CacheInvalidator tiersAbove) {}

  /** Releases what the tier created; must be idempotent. */
  @Override
  default void close() {}
}
