package dev.flagstack.store.grpc.internal;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code WatchChanges} subscription: keeps a stream open, reopening it with backoff when it fails or
 * stays silent past the idle timeout, and tells its listener what each event means (see
 * {@link ChangePosition}). Streams start on the store's scheduler; events arrive on gRPC's callback
 * executor. Every state change and every listener call happens under this object's lock, so notices
 * are delivered one at a time, in order, and none after {@link #close()} returned.
 *
 * <p>Logging: a refused credential at ERROR, a server without WatchChanges at INFO, the first trouble
 * (stream lost, silent, refused otherwise) after a working stream at INFO or WARN, everything else at
 * DEBUG; each once per incident, reset by the next event received. A malformed event is logged at WARN
 * once per watch, a throwing listener at ERROR once per exception class. Status descriptions are
 * redacted through the store's {@link StatusClassifier}, so the bearer token is never logged.
 */
public final class ChangeWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.grpc.GrpcFlagStore");
  /** The most exception classes a throwing listener is logged at ERROR for; later ones go to DEBUG. */
  private static final int MAX_LOGGED_LISTENER_FAILURES = 32;

  private final String storeName;
  private final FlagServiceGrpc.FlagServiceStub stub;
  private final ManagedChannel channel;
  private final StatusClassifier classifier;
  private final ScheduledExecutorService scheduler;
  private final WatchTiming timing;
  private final FlagChangeListener listener;
  private final Consumer<ChangeWatch> onClose;

  // Guarded by this.
  private final ChangePosition position = new ChangePosition();
  private final Set<Class<?>> listenerFailuresLogged = new HashSet<>();
  private boolean closed;
  private boolean stopped;
  private Stream current;
  private ScheduledFuture<?> pendingConnect;
  private int failures;
  private boolean troubleLogged;
  private boolean authFailureLogged;
  private boolean malformedLogged;

  /**
   * A watch, not yet started. {@code channel} is the store's {@link ManagedChannel} if it has one, whose
   * connect backoff each attempt cuts short; {@code onClose} runs once when the watch is closed.
   */
  public ChangeWatch(String storeName, FlagServiceGrpc.FlagServiceStub stub, ManagedChannel channel,
      StatusClassifier classifier, ScheduledExecutorService scheduler, WatchTiming timing,
      FlagChangeListener listener, Consumer<ChangeWatch> onClose) {
    this.storeName = storeName;
    this.stub = stub;
    this.channel = channel;
    this.classifier = classifier;
    this.scheduler = scheduler;
    this.timing = timing;
    this.listener = listener;
    this.onClose = onClose;
  }

  /** Opens the first stream on the scheduler; returns at once. */
  public synchronized void start() {
    pendingConnect = schedule(this::connect, 0);
  }

  /** Cancels the stream and stops reconnecting; the listener is not called after this returns. Idempotent. */
  @Override
  public void close() {
    Stream stream;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stream = current;
      current = null;
      cancel(pendingConnect);
      pendingConnect = null;
      if (stream != null) {
        cancel(stream.idleCheck);
      }
    }
    if (stream != null) {
      stream.cancel("the watch was closed");
    }
    log.debug("grpc store '{}': stopped watching changes", storeName);
    onClose.accept(this);
  }

  private void connect() {
    synchronized (this) {
      pendingConnect = null;
      if (closed || stopped || current != null) {
        return;
      }
      if (channel != null && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        // The channel waits up to 2 min between its own attempts; ours come sooner.
        channel.resetConnectBackoff();
      }
      Stream stream = new Stream();
      current = stream;
      stream.idleCheck = schedule(() -> checkIdle(stream), timing.idleTimeout().toNanos());
      WatchChangesRequest request = position.request();
      log.debug("grpc store '{}': opening the change stream from epoch {} version {}", storeName,
          ReplyReader.quote(request.getEpoch()), Long.toUnsignedString(request.getSinceVersion()));
      try {
        stub.watchChanges(request, stream);
      } catch (RuntimeException e) {
        streamEnded(stream, false);
        trouble("could not start the change stream: " + e.getClass().getSimpleName(), true);
        scheduleReconnect(timing.backoffNanos(failures));
      }
    }
  }

  private synchronized void onEvent(Stream stream, ChangeEvent event) {
    if (closed || current != stream) {
      return;
    }
    stream.lastEventNanos = System.nanoTime();
    if (!stream.gotEvent) {
      stream.gotEvent = true;
      if (troubleLogged || authFailureLogged) {
        log.info("grpc store '{}': the change stream is back", storeName);
      }
      troubleLogged = false;
      authFailureLogged = false;
    }
    ChangePosition.Verdict verdict = position.next(event);
    switch (verdict.kind) {
      case NOTHING:
        log.trace("grpc store '{}': heartbeat", storeName);
        break;
      case KEYS:
        log.debug("grpc store '{}': {} flag(s) changed at version {}", storeName, verdict.keys.size(),
            Long.toUnsignedString(event.getVersion()));
        try {
          listener.flagsChanged(verdict.keys);
        } catch (Throwable t) {
          listenerFailed("flagsChanged", t);
        }
        break;
      default:
        if (verdict.malformed && !malformedLogged) {
          malformedLogged = true;
          log.warn("grpc store '{}' got a malformed change event ({}): reporting that everything changed; the"
              + " server breaks the WatchChanges contract (further ones are logged at DEBUG)", storeName, verdict.why);
        } else {
          log.debug("grpc store '{}': everything may have changed: {}", storeName, verdict.why);
        }
        try {
          listener.everythingChanged();
        } catch (Throwable t) {
          listenerFailed("everythingChanged", t);
        }
    }
  }

  private synchronized void onEnd(Stream stream, Status status) {
    if (closed || current != stream) {
      return;
    }
    streamEnded(stream, true);
    if (status == null) {
      trouble("the server ended the change stream; reconnecting", false);
      scheduleReconnect(timing.backoffNanos(failures));
      return;
    }
    StoreException e = classifier.classify(status);
    String what = classifier.describe(status);
    if (status.getCode() == Status.Code.UNIMPLEMENTED) {
      stopped = true;
      log.info("grpc store '{}': the server does not implement WatchChanges, so flag changes are not pushed and"
          + " cached values live until their TTL ({})", storeName, what);
    } else if (StatusClassifier.isAuthFailure(status)) {
      if (!authFailureLogged) {
        authFailureLogged = true;
        log.error("grpc store '{}' may not watch changes: check its bearer token and permissions; retrying every"
            + " {} ({})", storeName, timing.maxBackoff(), what);
      } else {
        log.debug("grpc store '{}' may not watch changes ({})", storeName, what);
      }
      scheduleReconnect(timing.maxBackoffNanos());
    } else if (!e.isTransient()) {
      trouble("the change stream was refused; retrying every " + timing.maxBackoff() + " (" + what + ")",
          true);
      scheduleReconnect(timing.maxBackoffNanos());
    } else {
      trouble("the change stream was lost (" + what + "); reconnecting", false);
      scheduleReconnect(timing.backoffNanos(failures));
    }
  }

  private synchronized void checkIdle(Stream stream) {
    if (closed || current != stream) {
      return;
    }
    long silent = System.nanoTime() - stream.lastEventNanos;
    long idleTimeout = timing.idleTimeout().toNanos();
    if (silent < idleTimeout) {
      stream.idleCheck = schedule(() -> checkIdle(stream), idleTimeout - silent);
      return;
    }
    streamEnded(stream, true);
    stream.cancel("no change event within the idle timeout");
    trouble("no change event (heartbeats included) within " + timing.idleTimeout() + "; reopening the stream",
        true);
    scheduleReconnect(timing.backoffNanos(failures));
  }

  /**
   * Forgets {@code stream} and counts a failure. A stream that delivered an event and stayed up at least
   * the longest backoff was healthy: the backoff starts over.
   */
  private void streamEnded(Stream stream, boolean started) {
    current = null;
    cancel(stream.idleCheck);
    if (started && stream.gotEvent && System.nanoTime() - stream.startedNanos >= timing.maxBackoff().toNanos()) {
      failures = 0;
    }
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
  }

  /** Logs the first trouble after a working stream at WARN ({@code serious}) or INFO, later ones at DEBUG. */
  private void trouble(String what, boolean serious) {
    if (!troubleLogged) {
      troubleLogged = true;
      if (serious) {
        log.warn("grpc store '{}': {}", storeName, what);
      } else {
        log.info("grpc store '{}': {}", storeName, what);
      }
    } else {
      log.debug("grpc store '{}': {} (attempt {})", storeName, what, failures);
    }
  }

  private void scheduleReconnect(long delayNanos) {
    log.debug("grpc store '{}': reopening the change stream in {} ms", storeName,
        TimeUnit.NANOSECONDS.toMillis(delayNanos));
    pendingConnect = schedule(this::connect, delayNanos);
  }

  private void listenerFailed(String method, Throwable t) {
    if (listenerFailuresLogged.size() < MAX_LOGGED_LISTENER_FAILURES && listenerFailuresLogged.add(t.getClass())) {
      log.error("grpc store '{}': the change listener threw from {}; the watch goes on (further {} are logged at"
          + " DEBUG)", storeName, method, t.getClass().getName(), t);
    } else {
      log.debug("grpc store '{}': the change listener threw from {}: {}", storeName, method, t.toString());
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    try {
      return scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("grpc store '{}': not watching changes, the store is closed", storeName);
      return null;
    }
  }

  private static void cancel(ScheduledFuture<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }

  @Override
  public synchronized String toString() {
    return "ChangeWatch{store=" + storeName + ", " + (closed ? "closed" : stopped ? "stopped" : current != null
        ? "open" : "reconnecting") + ", epoch=" + ReplyReader.quote(position.epoch()) + ", version="
        + Long.toUnsignedString(position.version()) + '}';
  }

  /** One stream of the watch; its callbacks are ignored once the watch moved on to another. */
  private final class Stream implements ClientResponseObserver<WatchChangesRequest, ChangeEvent> {
    final long startedNanos = System.nanoTime();
    volatile ClientCallStreamObserver<WatchChangesRequest> call;
    // Guarded by ChangeWatch.this.
    long lastEventNanos = startedNanos;
    boolean gotEvent;
    ScheduledFuture<?> idleCheck;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchChangesRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(ChangeEvent event) {
      onEvent(this, event);
    }

    @Override
    public void onError(Throwable t) {
      onEnd(this, Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      onEnd(this, null);
    }

    void cancel(String why) {
      ClientCallStreamObserver<WatchChangesRequest> c = call;
      if (c != null) {
        c.cancel(why, null);
      }
    }
  }
}
