package dev.flagstack.store.grpc.internal;

import dev.flagstack.spi.StoreException;
import io.grpc.Status;
import java.util.Locale;

/**
 * Turns the status of a failed call into the {@link StoreException} the client acts on. The table is in
 * the module README; in short, what a retry may fix is transient, what fails the same way every time is
 * not.
 */
public final class StatusClassifier {
  /** What grpc-java says when a message is over a size limit, on either side. */
  private static final String SIZE_LIMIT = "exceeds maximum size";
  private static final int MAX_DESCRIPTION = 300;

  private final String storeName;
  private final int maxInboundMessageSize;
  private final BearerToken token;

  public StatusClassifier(String storeName, int maxInboundMessageSize, BearerToken token) {
    this.storeName = storeName;
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.token = token;
  }

  /** Whether the status says the server refused our credentials. */
  public static boolean isAuthFailure(Status status) {
    return status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED;
  }

  /** The exception for a call that ended with {@code status} (not OK). */
  public StoreException classify(Status status) {
    String what = describe(status);
    Throwable cause = token.safeCause(status.getCause());
    switch (status.getCode()) {
      case INVALID_ARGUMENT:
        return StoreException.invalidRequest("grpc store '" + storeName + "' was told the request is invalid: " + what);
      case NOT_FOUND:
      case PERMISSION_DENIED:
      case UNAUTHENTICATED:
      case FAILED_PRECONDITION:
      case UNIMPLEMENTED:
      case OUT_OF_RANGE:
      case ALREADY_EXISTS:
        return StoreException.rejected("grpc store '" + storeName + "' was refused: " + what, cause);
      case RESOURCE_EXHAUSTED:
        if (isSizeLimit(status)) {
          String which = status.getDescription().contains("maximum size " + maxInboundMessageSize + ":")
              ? "the reply is larger than maxInboundMessageSize (" + maxInboundMessageSize + " bytes)"
              : "the request is larger than the server accepts";
          return StoreException.rejected("grpc store '" + storeName + "' was refused: " + which + ": " + what, cause);
        }
        return StoreException.transientFailure("grpc store '" + storeName + "' failed: " + what, cause);
      default:
        // UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNKNOWN, CANCELLED, DATA_LOSS.
        return StoreException.transientFailure("grpc store '" + storeName + "' failed: " + what, cause);
    }
  }

  /**
   * A message over a size limit fails the same way on every retry, whether it is the reply over our
   * inbound limit (grpc-java fails the call locally) or our request over the server's (the server says
   * so in the same words). A server that is merely overloaded or rate limiting says something else.
   */
  static boolean isSizeLimit(Status status) {
    String description = status.getDescription();
    return description != null && description.toLowerCase(Locale.ROOT).contains(SIZE_LIMIT);
  }

  /** The code and the description of {@code status}, shortened, with the bearer token masked. */
  public String describe(Status status) {
    String description = token.redact(status.getDescription());
    if (description == null || description.isEmpty()) {
      return status.getCode().name();
    }
    if (description.length() > MAX_DESCRIPTION) {
      description = description.substring(0, MAX_DESCRIPTION) + "...";
    }
    return status.getCode().name() + ": " + description;
  }
}
