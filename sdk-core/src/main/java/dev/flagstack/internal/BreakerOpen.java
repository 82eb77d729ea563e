package dev.flagstack.internal;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;

/** A layer skipped because its breaker is open: reported to listeners; cheap, no stack trace. */
public final class BreakerOpen extends FlagException {
  private static final long serialVersionUID = 1L;
  public static final BreakerOpen INSTANCE = new BreakerOpen();

  private BreakerOpen() {
    super(FlagErrorKind.UNAVAILABLE, "circuit breaker open", null);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
