package dev.flagstack.cache.redis.internal;

import io.lettuce.core.api.StatefulConnection;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a connection on the tier's connect thread and retries with capped exponential backoff and jitter
 * until it succeeds, because Lettuce never retries a failed first connect by itself. Once open, Lettuce's
 * auto-reconnect takes over. Until then {@link #get()} is null and the tier fails lookups at once.
 */
public final class BackgroundConnector<C extends StatefulConnection<String, String>> {
  /** The longest {@link #close()} waits for a connection to close. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(BackgroundConnector.class);
  private static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final String what;
  private final Supplier<C> connect;
  private final Consumer<C> onConnected;
  private final ScheduledExecutorService scheduler;
  private final long maxDelayNanos;
  private volatile C connection;
  private boolean closed;
  private int failures;

  /** Will connect {@code what} (for logs) with {@code connect}, then hand the connection to {@code onConnected}. */
  public BackgroundConnector(String what, Supplier<C> connect, Consumer<C> onConnected,
      ScheduledExecutorService scheduler, Duration maxDelay) {
    this.what = what;
    this.connect = connect;
    this.onConnected = onConnected;
    this.scheduler = scheduler;
    this.maxDelayNanos = Math.max(FIRST_DELAY_NANOS, maxDelay.toNanos());
  }

  /** Starts the first attempt on the connect thread. */
  public void start() {
    schedule(0);
  }

  /** The open connection, or null while not (yet) connected. */
  public C get() {
    return connection;
  }

  private void attempt() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    C c;
    try {
      c = connect.get();
    } catch (RuntimeException e) {
      int n;
      synchronized (this) {
        if (closed) {
          log.debug("stopped connecting {}: the tier is closed", what);
          return;
        }
        n = ++failures;
      }
      long ceiling = Math.min(maxDelayNanos, FIRST_DELAY_NANOS << Math.min(n - 1, 20));
      long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
      if (n == 1) {
        log.warn("cannot connect {}: {}; lookups miss meanwhile, retrying in the background", what,
            Redaction.describe(e));
      } else {
        log.debug("cannot connect {} (attempt {}): {}", what, n, Redaction.describe(e));
      }
      schedule(delay);
      return;
    }
    synchronized (this) {
      if (closed) {
        c.closeAsync();
        return;
      }
      connection = c;
    }
    if (failures > 0) {
      log.info("connected {} after {} failed attempts", what, failures);
    } else {
      log.debug("connected {}", what);
    }
    try {
      onConnected.accept(c);
    } catch (RuntimeException e) {
      log.warn("setting up {} failed: {}", what, Redaction.describe(e));
    }
  }

  private void schedule(long delayNanos) {
    try {
      scheduler.schedule(this::attempt, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("not connecting {}: the tier is closed", what);
    }
  }

  /** Stops retrying and closes the connection, if any. Idempotent. */
  public void close() {
    C c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      // Lettuce's close() joins without a bound, and a cluster connection can wait forever on a node
      // connection that never settles: never let close() hang the caller.
      try {
        c.closeAsync().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        log.warn("closing {} did not finish within {} ms; abandoning it to the client shutdown", what,
            CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
        log.debug("closing {} failed: {}", what, Redaction.describe(e));
      }
    }
  }
}
