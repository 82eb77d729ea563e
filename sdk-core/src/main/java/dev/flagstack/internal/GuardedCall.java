package dev.flagstack.internal;

import dev.flagstack.spi.StoreException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a layer is called: acquire, call, bound the wait, report.
 *
 * <ul>
 *   <li><b>Acquire</b>: {@link Guard#tryAcquire()}; if refused (an open breaker) the layer is not called
 *       and the result fails with {@link BreakerOpen#INSTANCE}, reporting nothing.
 *   <li><b>Call</b>: anything the layer throws, {@link Error}s included, or a null stage, is a transient
 *       failure of the call.
 *   <li><b>Bound</b>: a stage not complete after its timeout is a transient failure. The deadline fires on
 *       the client's timer and every completion runs on the client's executor (or on the calling thread
 *       if the layer answered synchronously), never on the timer or a layer's I/O thread.
 *   <li><b>Report</b>: {@link Guard#onOutcome} exactly once per acquired call, with the answer or the
 *       timeout; {@link Guard#onSettled} exactly once when the layer's own stage ends, which may be after
 *       the timeout. For a guard that holds a permit, a stage that never ends is given up on
 *       {@value #BACKSTOP_TIMEOUTS} timeouts after the call, with a warning logged once per guard, so a
 *       broken layer cannot hold a permit forever.
 * </ul>
 */
public final class GuardedCall {
  private static final Logger log = LoggerFactory.getLogger(GuardedCall.class);

  /** After how many timeouts a stage that has not ended is given up on and its permit released. */
  public static final int BACKSTOP_TIMEOUTS = 10;

  /** Who lets a call go ahead and hears how it went. Implementations must not block. */
  public interface Guard {
    /** Whether the call may go ahead; if true, both methods below follow exactly once. */
    default boolean tryAcquire() {
      return true;
    }

    /** The outcome within the bound: {@code error} is null on success. */
    default void onOutcome(long nanos, Throwable error) {}

    /** The layer's own stage has ended, or was given up on after the backstop. */
    default void onSettled() {}

    /**
     * For a guard that holds something until the stage ends (a permit): whether the warning about a
     * stage that never ended was logged; such a guard is settled by the backstop. Null (the default):
     * no backstop, {@link #onSettled} waits for the stage however long it takes.
     */
    default AtomicBoolean backstopWarned() {
      return null;
    }
  }

  /** A guard that always lets the call go ahead and ignores its outcome. */
  public static final Guard NONE = new Guard() {};

  private final ClientThreads threads;

  public GuardedCall(ClientThreads threads) {
    this.threads = threads;
  }

  /** Calls {@code op} under {@code guard}; the result never completes on the timer or a layer's thread. */
  public <T> CompletableFuture<T> call(String layer, Duration timeout, Guard guard,
      Supplier<? extends CompletionStage<T>> op) {
    boolean acquired;
    try {
      acquired = guard.tryAcquire();
    } catch (Throwable e) {
      log.warn("'{}': acquiring a permission failed: {}", layer, LayerBreaker.describe(e));
      acquired = false;
    }
    if (!acquired) {
      return CompletableFuture.failedFuture(BreakerOpen.INSTANCE);
    }
    Attempt<T> attempt = new Attempt<>(layer, timeout, guard);
    attempt.start(op);
    return attempt.result;
  }

  private static long nanos(Duration d) {
    try {
      return Math.max(1L, d.toNanos());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private final class Attempt<T> {
    final String layer;
    final Duration timeout;
    final Guard guard;
    final CompletableFuture<T> result = new CompletableFuture<>();
    final AtomicBoolean answered = new AtomicBoolean();
    final AtomicBoolean settled = new AtomicBoolean();
    final long start = System.nanoTime();
    volatile Thread callingThread = Thread.currentThread();
    volatile ScheduledFuture<?> deadline;

    Attempt(String layer, Duration timeout, Guard guard) {
      this.layer = layer;
      this.timeout = timeout;
      this.guard = guard;
    }

    void start(Supplier<? extends CompletionStage<T>> op) {
      // The deadline runs from before the call: a layer that blocks the calling thread, against the SPI's
      // contract, still times out on schedule, and everyone else waiting on this call moves on to the next
      // layer; only the blocked thread itself waits until the layer lets go of it.
      deadline = threads.schedule(this::onDeadline, nanos(timeout));
      try {
        CompletionStage<T> stage = op.get();
        if (stage == null) {
          throw new IllegalStateException(layer + " returned no result stage");
        }
        stage.whenComplete((value, error) -> {
          if (Thread.currentThread() == callingThread) {
            ended(value, error);
          } else {
            threads.execute(() -> ended(value, error));
          }
        });
      } catch (Throwable e) {
        cancelDeadline();
        settle();
        answer(null, e);
      } finally {
        callingThread = null;
      }
    }

    private void cancelDeadline() {
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }

    private void ended(T value, Throwable error) {
      cancelDeadline();
      settle();
      answer(value, error);
    }

    private void onDeadline() {
      answer(null, StoreException.transientFailure(layer + " gave no answer within " + timeout.toMillis() + " ms", null));
      if (!settled.get() && guard.backstopWarned() != null) {
        long backstop = nanos(timeout) > Long.MAX_VALUE / BACKSTOP_TIMEOUTS
            ? Long.MAX_VALUE : nanos(timeout) * (BACKSTOP_TIMEOUTS - 1);
        threads.schedule(this::onBackstop, backstop);
      }
    }

    private void onBackstop() {
      if (settled.get()) {
        return;
      }
      if (guard.backstopWarned().compareAndSet(false, true)) {
        log.warn("'{}' left a call unfinished {} ms after its {} ms timeout; releasing its permit anyway "
            + "(logged once)", layer, timeout.toMillis() * (BACKSTOP_TIMEOUTS - 1), timeout.toMillis());
      }
      settle();
    }

    private void settle() {
      if (settled.compareAndSet(false, true)) {
        try {
          guard.onSettled();
        } catch (Throwable e) {
          log.warn("'{}': releasing a permit failed: {}", layer, LayerBreaker.describe(e));
        }
      }
    }

    private void answer(T value, Throwable error) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      Throwable e = error == null ? null : StoreException.unwrap(error);
      try {
        guard.onOutcome(System.nanoTime() - start, e);
      } catch (Throwable t) {
        log.warn("'{}': reporting a call's outcome failed: {}", layer, LayerBreaker.describe(t));
      }
      if (e == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(e);
      }
    }
  }
}
