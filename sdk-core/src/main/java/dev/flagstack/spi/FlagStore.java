package dev.flagstack.spi;

import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A source of truth for flag values: the primary store (a flags API) or the secondary (a database).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #getFlags} answers a whole batch in one round trip where the backend allows, and never
 *       parks the calling thread on network I/O: it returns a stage that completes later.
 *   <li>The result maps each known flag to its value for the entity. A flag the store does not know is
 *       simply absent: that is a normal answer, not an error.
 *   <li>Failure is signalled by completing the stage exceptionally (or, for a programming error,
 *       throwing). A {@link StoreException} whose {@link StoreException#isTransient()} is false (bad
 *       request, authentication refused, a definition of the wrong shape) goes straight back to the
 *       caller: it never trips a breaker and never falls back. <em>Every other</em> throwable, including
 *       timeouts, connection errors, 5xx answers and malformed replies, is transient: it counts against
 *       the store's circuit breaker and sends the read to the next layer.
 *   <li>The store applies {@link #callTimeout()} as a transport deadline. The client also abandons the
 *       call after it, counting a transient failure, so a store that never answers cannot hang a read.
 *   <li>Stores do not cache: the client does. Messages never contain secrets.
 *   <li>Implementations are thread-safe. {@link #close()} releases only what the store created.
 * </ul>
 */
public interface FlagStore extends AutoCloseable {
  /** The default call timeout: 1 s, the seed's gRPC timeout. REST stores use 5 s. */
  Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(1);

  /** A short name for logs, events and errors, such as {@code "grpc"} or {@code "mongo"}. */
  String name();

  /** The longest a call may take before it counts as a transient failure. */
  default Duration callTimeout() {
    return DEFAULT_CALL_TIMEOUT;
  }

  /**
   * Looks up {@code flags} for {@code entity}. The client only passes ids that passed its validation and
   * at most its batch limit; the set is unmodifiable and never empty.
   */
  CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags);

  /** Releases what the store created; must be idempotent. */
  @Override
  default void close() {}
}
