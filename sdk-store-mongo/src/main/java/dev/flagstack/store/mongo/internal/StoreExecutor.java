package dev.flagstack.store.mongo.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store's own threads for the blocking driver: a fixed number of daemon threads (idle ones exit after
 * a minute) and a bounded queue. A full queue rejects at once instead of blocking the caller.
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
          Thread t = new Thread(r, "flagstack-mongo-" + storeName + "-" + counter.incrementAndGet());
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

  /**
   * Runs {@code work} on a store thread. The future completes on that thread when {@code work} has
   * returned or thrown (the failure translated by {@code errors}), never earlier; at once with a
   * transient failure if the queue is full or the store closed; and with a transient failure if
   * {@link #shutdownNow()} drops it from the queue.
   */
  public <T> CompletableFuture<T> submit(Callable<T> work, StoreErrors errors) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (pool.isShutdown()) {
      result.completeExceptionally(errors.closed());
      return result;
    }
    Task task = new Task() {
      @Override
      public void run() {
        try {
          result.complete(work.call());
        } catch (Throwable e) { // NOPMD: the future must complete whatever happens
          result.completeExceptionally(errors.translate(e, pool.isShutdown()));
          if (e instanceof VirtualMachineError) {
            throw (VirtualMachineError) e;
          }
        }
      }

      @Override
      public void abandon() {
        result.completeExceptionally(errors.closedWhileQueued());
      }
    };
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(pool.isShutdown() ? errors.closed() : errors.busy());
    }
    return result;
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
