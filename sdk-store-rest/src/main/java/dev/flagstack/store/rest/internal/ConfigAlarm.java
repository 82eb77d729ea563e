package dev.flagstack.store.rest.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Logs a configuration problem (credentials refused, a URL that is not an OFREP server) loudly at ERROR,
 * once: later occurrences go to DEBUG until a call succeeds, which re-arms the alarm.
 */
public final class ConfigAlarm {
  private final AtomicBoolean raised = new AtomicBoolean();

  /** Logs {@code message} at ERROR the first time, at DEBUG afterwards. */
  public void raise(Logger log, String message) {
    if (raised.compareAndSet(false, true)) {
      log.error("{} (logged once; again only after a call has succeeded)", message);
    } else {
      log.debug("{}", message);
    }
  }

  /** A call succeeded: the next problem is logged at ERROR again. */
  public void clear() {
    if (raised.get()) {
      raised.set(false);
    }
  }
}
