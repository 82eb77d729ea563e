package dev.flagstack.store.jdbc.internal;

import dev.flagstack.spi.StoreException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever a read threw into the {@link StoreException} the SPI expects, with a message free of
 * secrets, and logs a configuration problem (missing table, no permission, refused credentials) at ERROR
 * the first time each SQLSTATE is seen: it will not pass by itself, and a read error is otherwise only
 * logged at DEBUG by the client.
 */
public final class FailureReporter {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.jdbc.JdbcFlagStore");
  private static final int MAX_MESSAGE = 300;

  private final String prefix;
  private final String table;
  private final Secrets secrets;
  private final Set<String> loggedStates = ConcurrentHashMap.newKeySet();

  /** A reporter for the store named {@code storeName} reading {@code table}. */
  public FailureReporter(String storeName, String table, Secrets secrets) {
    this.prefix = "postgres store '" + storeName + "'";
    this.table = table;
    this.secrets = secrets;
  }

  /** The SPI exception for {@code error}; {@code closed} says whether the store was closed meanwhile. */
  public StoreException translate(Throwable error, boolean closed) {
    if (error instanceof StoreException) {
      return (StoreException) error;
    }
    if (error instanceof InvalidDefinitionException) {
      InvalidDefinitionException bad = (InvalidDefinitionException) error;
      return StoreException.rejected("flag '" + bad.flag() + "' has an invalid definition: " + bad.getMessage(), null);
    }
    if (closed) {
      return StoreException.transientFailure(prefix + " was closed: " + describe(error), secrets.safeCause(error));
    }
    String state = SqlFailures.sqlState(error);
    switch (SqlFailures.classifyState(state)) {
      case CONFIGURATION: {
        String message = prefix + " cannot read table " + table + ": " + describe(error);
        logOnce(state, message + ". Reads fail (REJECTED, no fallback) until the table exists with the "
            + "documented columns and the store's role may SELECT it.");
        return StoreException.rejected(message, secrets.safeCause(error));
      }
      case CREDENTIALS: {
        String message = prefix + " was refused: " + describe(error);
        logOnce(state, message + ". Reads fail (REJECTED, no fallback) until the credentials are fixed.");
        return StoreException.rejected(message, secrets.safeCause(error));
      }
      case BAD_REQUEST:
        return StoreException.invalidRequest(prefix + " cannot look up these flag ids: " + describe(error));
      default:
        return StoreException.transientFailure(prefix + " failed: " + describe(error), secrets.safeCause(error));
    }
  }

  /** A transient failure that is not an exception of the driver (a full queue, a closed store). */
  public StoreException unavailable(String why) {
    return StoreException.transientFailure(prefix + " " + why, null);
  }

  private void logOnce(String state, String message) {
    if (loggedStates.add(state)) {
      log.error(message);
    } else {
      log.debug(message);
    }
  }

  private String describe(Throwable e) {
    Throwable origin = SqlFailures.origin(e);
    return origin == e ? describeOne(e) : describeOne(e) + "; caused by " + describeOne(origin);
  }

  private String describeOne(Throwable e) {
    String state = SqlFailures.sqlState(e);
    String message = secrets.redact(e.getMessage());
    if (message != null && message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    return e.getClass().getSimpleName() + (state == null ? "" : " [SQLSTATE " + state + "]")
        + (message == null ? "" : ": " + message);
  }
}
