package dev.flagstack.openfeature.internal;

import dev.openfeature.sdk.Awaitable;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ProviderEventDetails;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits the provider's state as OpenFeature events from one thread of its own, one event at a time and
 * waiting for each to be delivered: the SDK hands each emit to a pool, so two emits in a row could
 * otherwise arrive out of order and leave the provider in the wrong state. Changes that come faster than
 * delivery are coalesced; the last event emitted always matches {@link ProviderHealth#state()}.
 */
public final class StateEmitter {
  private static final Logger log = LoggerFactory.getLogger(StateEmitter.class);

  private final EventProvider provider;
  private final ProviderHealth health;
  private final ExecutorService thread;
  private final AtomicBoolean queued = new AtomicBoolean();
  /** Touched only on the emitter thread. The SDK itself announces READY when initialize returns. */
  private ProviderHealth.State emitted = ProviderHealth.State.READY;

  public StateEmitter(EventProvider provider, ProviderHealth health) {
    this.provider = provider;
    this.health = health;
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "flagstack-openfeature-events");
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    this.thread = executor;
  }

  /** Schedules a comparison of the current state with the last one emitted. Never blocks. */
  public void signal() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.execute(this::emitIfChanged);
      } catch (RejectedExecutionException e) {
        queued.set(false);
      }
    }
  }

  /**
   * Emits PROVIDER_CONFIGURATION_CHANGED for {@code flags} (all flags when empty), in order with the state
   * events, from the emitter's thread. Never blocks.
   */
  public void configurationChanged(java.util.Set<String> flags) {
    java.util.List<String> changed = java.util.List.copyOf(flags);
    try {
      thread.execute(() -> {
        try {
          provider.emitProviderConfigurationChanged(ProviderEventDetails.builder().flagsChanged(changed)
              .message(changed.isEmpty() ? "any flag may have changed" : changed.size() + " flag(s) changed")
              .build()).await();
        } catch (RuntimeException e) {
          log.debug("could not emit a configuration change", e);
        }
      });
    } catch (RejectedExecutionException e) {
      // Shut down: nothing left to tell.
    }
  }

  /** Stops emitting. Idempotent. */
  public void shutdown() {
    thread.shutdownNow();
  }

  private void emitIfChanged() {
    queued.set(false);
    ProviderHealth.State now = health.state();
    if (now == emitted) {
      return;
    }
    emitted = now;
    String message = health.describe(now);
    try {
      Awaitable delivered;
      switch (now) {
        case ERROR:
          delivered = provider.emitProviderError(
              ProviderEventDetails.builder().message(message).errorCode(ErrorCode.GENERAL).build());
          break;
        case STALE:
          delivered = provider.emitProviderStale(ProviderEventDetails.builder().message(message).build());
          break;
        default:
          delivered = provider.emitProviderReady(ProviderEventDetails.builder().message(message).build());
      }
      delivered.await();
      log.info("OpenFeature provider state is now {}: {}", now, message);
    } catch (RuntimeException e) {
      // The SDK shut down under us: nothing left to tell.
      log.debug("could not emit provider state {}", now, e);
    }
  }
}
