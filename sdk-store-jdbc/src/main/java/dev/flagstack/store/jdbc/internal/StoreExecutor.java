package dev.flagstack.store.jdbc.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store's own threads for blocking JDBC calls: a fixed number of daemon threads (idle ones exit after a
 * minute) and a bounded queue. A full queue rejects at once instead of blocking the caller.
 */
public final class StoreExecutor {
  /** A unit of work that can be told it will never run. */
  public interface Task extends Runnable {
    /** Called instead of {@link #run()} for a task dropped by {@link #shutdownNow()}. */
    void abandon();
  }

  private final ThreadPoolExecutor pool;

  /** An executor with {@code threads} daemon threads named after {@code storeName} and room for {@code queueCapacity} waiting tasks. */
  public StoreExecutor(String storeName, int threads, int queueCapacity) {
    AtomicInteger counter = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queueCapacity), r -> {
          Thread t = new Thread(r, "flagstack-jdbc-" + storeName + "-" + counter.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Queues {@code task}.
   *
   * @throws RejectedExecutionException if the queue is full or the executor is shut down
   */
  public void execute(Task task) {
    pool.execute(task);
  }

  /** Interrupts running tasks and abandons queued ones. */
  public void shutdownNow() {
    List<Runnable> dropped = pool.shutdownNow();
    for (Runnable r : dropped) {
      if (r instanceof Task) {
        ((Task) r).abandon();
      }
    }
  }
}
