package dev.flagstack.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The secondary's concurrency bound, without parking a thread: a read that finds every permit taken
 * queues, and a permit that frees is handed to the oldest waiter (on the client's executor). A waiter
 * that has not had one after its wait fails with the busy error. A permit is held until the store's own
 * call ends, not until the client stops waiting for it.
 */
final class SecondaryPermits {
  private final ClientThreads threads;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int free;

  SecondaryPermits(int permits, ClientThreads threads) {
    this.free = permits;
    this.threads = threads;
  }

  /**
   * A future that completes once the caller holds a permit (it must then {@link #release} it exactly
   * once), or fails with {@code busy} if none came within {@code maxWait}.
   */
  CompletableFuture<Void> acquire(Duration maxWait, Supplier<? extends Throwable> busy) {
    Waiter waiter;
    synchronized (this) {
      if (free > 0 && waiters.isEmpty()) {
        free--;
        return CompletableFuture.completedFuture(null);
      }
      waiter = new Waiter();
      waiters.add(waiter);
    }
    waiter.timeout = threads.schedule(() -> {
      if (waiter.claimed.compareAndSet(false, true)) {
        synchronized (this) {
          waiters.remove(waiter);
        }
        waiter.granted.completeExceptionally(busy.get());
      }
    }, TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxWait.toMillis())));
    if (waiter.timeout == null && waiter.claimed.compareAndSet(false, true)) {
      synchronized (this) {
        waiters.remove(waiter);
      }
      waiter.granted.completeExceptionally(busy.get()); // the client is closed
    }
    return waiter.granted;
  }

  /** Gives a permit back: to the oldest waiter still waiting, or to the pool. */
  void release() {
    Waiter next = null;
    synchronized (this) {
      Waiter w;
      while ((w = waiters.poll()) != null) {
        if (w.claimed.compareAndSet(false, true)) {
          next = w;
          break;
        }
      }
      if (next == null) {
        free++;
      }
    }
    if (next != null) {
      ScheduledFuture<?> t = next.timeout;
      if (t != null) {
        t.cancel(false);
      }
      Waiter granted = next;
      threads.execute(() -> granted.granted.complete(null));
    }
  }

  private static final class Waiter {
    final CompletableFuture<Void> granted = new CompletableFuture<>();
    final AtomicBoolean claimed = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;
  }
}
