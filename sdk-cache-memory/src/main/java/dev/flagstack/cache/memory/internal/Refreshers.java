package dev.flagstack.cache.memory.internal;

import dev.flagstack.spi.EntryRefresher;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refreshers of the clients a tier was bound to, in the order they were bound. A reload goes to the
 * first that takes it; one that no longer can (its client was closed) is dropped, so a tier outliving
 * many clients holds none of the closed ones for long.
 */
public final class Refreshers {
  private static final Logger log = LoggerFactory.getLogger(Refreshers.class);
  private static final EntryRefresher[] NONE = new EntryRefresher[0];

  private volatile EntryRefresher[] bound = NONE;

  public synchronized void add(EntryRefresher refresher) {
    EntryRefresher[] now = bound;
    EntryRefresher[] next = Arrays.copyOf(now, now.length + 1);
    next[now.length] = refresher;
    bound = next;
  }

  /** Asks for a background reload of (entity, flag); never throws, never blocks. */
  void refresh(String entity, String flag) {
    for (EntryRefresher refresher : bound) {
      boolean taken;
      try {
        taken = refresher.refresh(entity, flag);
      } catch (Throwable e) {
        log.warn("a refresher failed to start a reload: {}", e.toString());
        taken = true;
      }
      if (taken) {
        return;
      }
      remove(refresher);
    }
  }

  private synchronized void remove(EntryRefresher refresher) {
    EntryRefresher[] now = bound;
    for (int i = 0; i < now.length; i++) {
      if (now[i] == refresher) {
        EntryRefresher[] next = new EntryRefresher[now.length - 1];
        System.arraycopy(now, 0, next, 0, i);
        System.arraycopy(now, i + 1, next, i, now.length - i - 1);
        bound = next;
        return;
      }
    }
  }

  /** How many refreshers are bound. */
  public int size() {
    return bound.length;
  }
}
