package dev.flagstack.store.rest.internal;

import java.io.IOException;

/** A reply that is not the OFREP JSON it should be, or is larger than allowed: a transient failure. */
public final class BadReplyException extends IOException {
  private static final long serialVersionUID = 1L;

  public BadReplyException(String message) {
    super(message);
  }
}
