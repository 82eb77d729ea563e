package dev.flagstack.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The server side of WatchChanges streams, driven by a test, and a listener that records notices. */
final class WatchTestSupport {
  private WatchTestSupport() {}

  /** Every WatchChanges call the server receives, queued for the test to answer. */
  static final class Streams implements FlagTestServer.WatchHandler {
    private final BlockingQueue<ServerStream> opened = new LinkedBlockingQueue<>();

    @Override
    public void handle(WatchChangesRequest request, ServerCallStreamObserver<ChangeEvent> events) {
      ServerStream stream = new ServerStream(request, events);
      events.setOnCancelHandler(stream.cancelled::countDown);
      opened.add(stream);
    }

    /** The next stream the client opens, waiting at most 10 s. */
    ServerStream next() throws InterruptedException {
      ServerStream stream = opened.poll(10, TimeUnit.SECONDS);
      assertThat(stream).as("the client opens a stream within 10 s").isNotNull();
      return stream;
    }

    /** The next stream opened within {@code wait}, or null. */
    ServerStream poll(Duration wait) throws InterruptedException {
      return opened.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** One WatchChanges call on the server: its request, and the events the test sends. */
  static final class ServerStream {
    final WatchChangesRequest request;
    final long openedNanos = System.nanoTime();
    private final ServerCallStreamObserver<ChangeEvent> events;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    ServerStream(WatchChangesRequest request, ServerCallStreamObserver<ChangeEvent> events) {
      this.request = request;
      this.events = events;
    }

    /** A change of {@code keys} at {@code version}; no keys: a heartbeat. */
    ServerStream send(String epoch, long version, String... keys) {
      return send(ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).addAllFlagKeys(List.of(keys)).build());
    }

    ServerStream everything(String epoch, long version) {
      return send(ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).setEverything(true).build());
    }

    ServerStream send(ChangeEvent event) {
      events.onNext(event);
      return this;
    }

    void fail(Status status) {
      events.onError(status.asRuntimeException());
    }

    void complete() {
      events.onCompleted();
    }

    /** Whether the client cancelled this stream within 10 s. */
    boolean awaitCancelled() throws InterruptedException {
      return cancelled.await(10, TimeUnit.SECONDS);
    }

    boolean isCancelled() {
      return cancelled.getCount() == 0;
    }

    /** The client's position, as {@code epoch/version}. */
    String from() {
      return request.getEpoch() + "/" + request.getSinceVersion();
    }
  }

  /** Records each notice as {@code everything} or {@code keys [a, b]} (sorted). */
  static class Notices implements FlagChangeListener {
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void flagsChanged(Set<String> flags) {
      queue.add("keys " + new TreeSet<>(flags));
    }

    @Override
    public void everythingChanged() {
      queue.add("everything");
    }

    /** The next notice, waiting at most 10 s. */
    String next() throws InterruptedException {
      String notice = queue.poll(10, TimeUnit.SECONDS);
      assertThat(notice).as("a notice within 10 s").isNotNull();
      return notice;
    }

    /** The next notice within {@code wait}, or null. */
    String poll(Duration wait) throws InterruptedException {
      return queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean isEmpty() {
      return queue.isEmpty();
    }
  }
}
