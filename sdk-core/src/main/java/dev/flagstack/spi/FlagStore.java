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
 *       throwing). <b>Non-transient</b>, exactly: a {@link dev.flagstack.FlagException} whose
 *       {@code errorKind()} is {@code INVALID_REQUEST} or {@code REJECTED}, as made by
 *       {@link StoreException#invalidRequest} and {@link StoreException#rejected} (bad request,
 *       authentication refused, a definition of the wrong shape). It goes straight back to the caller
 *       for every flag of the batch: it never trips a breaker and never falls back. <b>Transient</b>:
 *       <em>every other</em> throwable, {@link Error}s included: timeouts, connection errors, 5xx
 *       answers, malformed replies, and a {@code FlagException} of any other kind (a store must not throw
 *       {@code FlagNotFoundException}: an unknown flag is left out of the answer). It counts against the
 *       store's circuit breaker and sends the read to the next layer.
 *   <li>The store applies {@link #callTimeout()} as a transport deadline. The client also abandons the
 *       call after it, counting a transient failure, so a store that never answers cannot hang a read.
 *       The client reads it once, when it is built: it must be positive, and one longer than a minute is
 *       clamped to a minute. The deadline runs from the moment the client calls {@code getFlags}: a store
 *       that blocks the calling thread against this contract holds up that read until it returns, and an
 *       answer it gives after the deadline counts as a timeout and is never served.
 *   <li>Stores do not cache: the client does. Messages never contain secrets.
 *   <li>Implementations are thread-safe. {@link #close()} releases only what the store created.
 * </ul>
 */
public interface FlagStore extends AutoCloseable {
  /** The default call timeout: 1 s, the seed's gRPC timeout. REST stores use 5 s. */
  Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(1);

  /** A short name for logs, events and errors, such as {@code "grpc"} or {@code "mongo"}. */
  String name();

  /**
   * The longest a call may take before it counts as a transient failure. Read once when a client is
   * built; must be positive; values over 1 minute are clamped to 1 minute.
   */
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
