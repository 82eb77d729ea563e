package dev.flagstack.store.mongo.internal;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoSecurityException;
import dev.flagstack.spi.StoreException;

/**
 * Turns what a read threw into the {@link StoreException} the client acts on: a bad document or refused
 * credentials are non-transient ({@code rejected}); everything else is transient. Messages are built
 * from the error's class and its message with the connection string's secrets masked, and a cause is
 * attached only if nothing in its chain holds a secret.
 */
public final class StoreErrors {
  /** Longest excerpt of a driver message kept in ours. */
  static final int MAX_MESSAGE = 300;

  private final String storeName;
  private final Secrets secrets;

  /** Errors of the store {@code storeName}, hiding {@code secrets}. */
  public StoreErrors(String storeName, Secrets secrets) {
    this.storeName = storeName;
    this.secrets = secrets;
  }

  /** The failure to report for {@code e}; {@code closed} says whether the store was closed meanwhile. */
  public StoreException translate(Throwable e, boolean closed) {
    if (e instanceof InvalidDefinitionException) {
      InvalidDefinitionException bad = (InvalidDefinitionException) e;
      return StoreException.rejected("flag '" + bad.flag() + "' has an invalid definition: " + bad.getMessage(), null);
    }
    if (e instanceof StoreException) {
      return (StoreException) e;
    }
    if (e instanceof MongoSecurityException
        || (e instanceof MongoCommandException && isAuthCode(((MongoCommandException) e).getErrorCode()))) {
      return StoreException.rejected("mongo store '" + storeName + "' was refused: " + describe(e),
          secrets.safeCause(e));
    }
    String why = closed ? "was closed" : "failed";
    return StoreException.transientFailure("mongo store '" + storeName + "' " + why + ": " + describe(e),
        secrets.safeCause(e));
  }

  /** The transient failure of a call made after {@code close()}. */
  public StoreException closed() {
    return StoreException.transientFailure("mongo store '" + storeName + "' is closed", null);
  }

  /** The transient failure of a call dropped from the queue by {@code close()}. */
  public StoreException closedWhileQueued() {
    return StoreException.transientFailure("mongo store '" + storeName + "' was closed", null);
  }

  /** The transient failure of a call that found the queue full. */
  public StoreException busy() {
    return StoreException.transientFailure("mongo store '" + storeName + "' is busy: its queue is full", null);
  }

  private static boolean isAuthCode(int code) {
    return code == 13 || code == 18; // Unauthorized, AuthenticationFailed
  }

  private String describe(Throwable e) {
    String message = secrets.redact(e.getMessage());
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
