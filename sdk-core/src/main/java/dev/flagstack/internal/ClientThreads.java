package dev.flagstack.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's threads: one timer thread ({@code flagstack-timer-N}) that only ever fires deadlines, and
 * the executor every continuation runs on, so neither a store's I/O thread nor the timer ever runs engine
 * or caller code.
 *
 * <p>Unless the caller supplies an executor, continuations run on a cached pool of daemon threads
 * ({@code flagstack-worker-N}, idle ones end after 60 s), as OkHttp's dispatcher does: a caller's
 * callback that blocks holds one thread and never delays another read's deadline. Both are shut down by
 * {@link #close()}; a caller's executor is never shut down.
 */
public final class ClientThreads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClientThreads.class);
  private static final AtomicInteger TIMER_IDS = new AtomicInteger();
  private static final AtomicInteger WORKER_IDS = new AtomicInteger();

  private final ScheduledThreadPoolExecutor timer;
  private final Executor executor;
  private final ExecutorService owned;

  public ClientThreads(Executor callersExecutor) {
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("flagstack-timer-", TIMER_IDS));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    if (callersExecutor != null) {
      this.executor = callersExecutor;
      this.owned = null;
    } else {
      this.owned = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
          daemon("flagstack-worker-", WORKER_IDS));
      this.executor = owned;
    }
  }

  private static ThreadFactory daemon(String prefix, AtomicInteger ids) {
    return r -> {
      Thread t = new Thread(r, prefix + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Runs {@code task} on the executor; if the executor refuses (it was shut down), runs it here. */
  public void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("executor refused a continuation; running it on the current thread");
      task.run();
    }
  }

  /**
   * Runs {@code task} on the executor after {@code nanos}; the timer thread only hands it over. Returns
   * null if the client is closed.
   */
  public ScheduledFuture<?> schedule(Runnable task, long nanos) {
    try {
      return timer.schedule(() -> execute(task), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Stops the timer and the client's own pool; continuations already running finish. */
  @Override
  public void close() {
    timer.shutdownNow();
    if (owned != null) {
      owned.shutdown();
    }
  }
}
