package dev.flagstack.store.grpc.internal;

import dev.flagstack.spi.StoreException;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the end of each call into a result or a {@link StoreException}, and says loudly, once per
 * incident, that the server refused our credentials: an authentication failure is logged at ERROR the
 * first time after start or after a successful call, at DEBUG while it goes on.
 */
public final class CallOutcomes {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.grpc.GrpcFlagStore");

  private final String storeName;
  private final StatusClassifier classifier;
  private final AtomicBoolean authFailureLogged = new AtomicBoolean();

  public CallOutcomes(String storeName, StatusClassifier classifier) {
    this.storeName = storeName;
    this.classifier = classifier;
  }

  /** A call ended with {@code status}, not OK. */
  public StoreException failed(Status status) {
    StoreException e = classifier.classify(status);
    if (StatusClassifier.isAuthFailure(status)) {
      if (authFailureLogged.compareAndSet(false, true)) {
        log.error("grpc store '{}' is refused by the server: check its bearer token and permissions; every read"
            + " fails until this is fixed ({})", storeName, e.getMessage());
      } else {
        log.debug("{}", e.getMessage());
      }
    } else {
      log.debug("{}", e.getMessage());
    }
    return e;
  }

  /** The server answered OK with a reply that breaks the protocol. */
  public StoreException malformed(String why) {
    StoreException e = StoreException.transientFailure("grpc store '" + storeName + "' got a malformed reply: " + why, null);
    log.debug("{}", e.getMessage());
    return e;
  }

  /** The call succeeded: a later authentication failure is a new incident. */
  public void succeeded() {
    if (authFailureLogged.get()) {
      authFailureLogged.set(false);
    }
  }
}
