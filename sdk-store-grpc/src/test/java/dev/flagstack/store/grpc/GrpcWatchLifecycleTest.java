package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.captureStderr;
import static dev.flagstack.store.grpc.GrpcTestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.store.grpc.WatchTestSupport.Notices;
import dev.flagstack.store.grpc.WatchTestSupport.ServerStream;
import dev.flagstack.store.grpc.WatchTestSupport.Streams;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a watch opens, keeps, reopens and stops its stream, over a real server the tests drive. */
class GrpcWatchLifecycleTest {
  private static final String TOKEN = "w4tch-T0ken.value_~+/=";

  private FlagTestServer server;
  private final Streams streams = new Streams();
  private final Notices notices = new Notices();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = FlagTestServer.start().watchHandler(streams);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private GrpcFlagStore.Builder builder() {
    return GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(GrpcFlagStoreTest.SLOW_MACHINE);
  }

  private GrpcFlagStore track(GrpcFlagStore store) {
    toClose.add(store);
    return store;
  }

  private GrpcFlagStore store() {
    return track(builder().watchReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build());
  }

  /** Answers each stream at once, so a slow test thread cannot make it look silent. */
  private void answerEachStreamAtOnce() {
    server.watchHandler((request, events) -> {
      events.onNext(request.getEpoch().isEmpty() ? everything("e1", 1) : heartbeat("e1", 1));
      streams.handle(request, events);
    });
  }

  private static ChangeEvent everything(String epoch, long version) {
    return ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).setEverything(true).build();
  }

  private static ChangeEvent heartbeat(String epoch, long version) {
    return ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).build();
  }

  @Test
  void aSilentStreamIsCancelledAndReopenedAfterTheIdleTimeout() throws Exception {
    GrpcFlagStore store = track(builder().watchIdleTimeout(Duration.ofMillis(300))
        .watchReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build());
    store.getFlags("warm-up", Set.of("f")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    answerEachStreamAtOnce();
    toClose.add(store.watchChanges(notices));

    ServerStream previous = streams.next();
    ServerStream resumed;
    // On a cold JVM the first stream may be cancelled before its first event arrives; then the next
    // one starts from scratch too. Wait for one that resumes from the first event.
    while (true) {
      assertThat(previous.awaitCancelled()).as("a silent stream is cancelled").isTrue();
      resumed = streams.next();
      if (!resumed.request.getEpoch().isEmpty()) {
        break;
      }
      previous = resumed;
    }
    assertThat(resumed.from()).isEqualTo("e1/1");
    assertThat(TimeUnit.NANOSECONDS.toMillis(resumed.openedNanos - previous.openedNanos)).isGreaterThanOrEqualTo(300);
    assertThat(notices.next()).isEqualTo("everything");

    // The resumed stream proved continuity with its heartbeat: silent again, it is reopened without a notice.
    assertThat(resumed.awaitCancelled()).isTrue();
    assertThat(streams.next().from()).isEqualTo("e1/1");
    assertThat(notices.isEmpty()).isTrue();

    // A stream that never sends its first event is reopened just the same.
    Streams silentOnes = new Streams();
    server.watchHandler(silentOnes);
    ServerStream silent = silentOnes.next();
    assertThat(silent.awaitCancelled()).isTrue();
    assertThat(silentOnes.next().from()).isEqualTo("e1/1");
    assertThat(notices.isEmpty()).isTrue();
  }

  @Test
  void heartbeatsKeepAStreamOpenPastTheIdleTimeout() throws Exception {
    GrpcFlagStore store = track(builder().watchIdleTimeout(Duration.ofMillis(500)).build());
    store.getFlags("warm-up", Set.of("f")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    answerEachStreamAtOnce();
    toClose.add(store.watchChanges(notices));
    ServerStream s1 = streams.next();
    assertThat(notices.next()).isEqualTo("everything");

    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
    while (System.nanoTime() < end) {
      s1.send("e1", 1);
      assertThat(streams.poll(Duration.ofMillis(50))).as("no second stream").isNull();
    }

    assertThat(s1.isCancelled()).isFalse();
    s1.send("e1", 2, "a");
    assertThat(notices.next()).isEqualTo("keys [a]");
    assertThat(server.watchRequests()).hasSize(1);
  }

  @Test
  void aServerWithoutWatchChangesIsAskedOnceAndLoggedOnceAtInfo() throws Exception {
    server.watchHandler(null);
    String logs = captureStderr(() -> {
      AutoCloseable watch = store().watchChanges(notices);
      eventually(Duration.ofSeconds(10), () -> server.watchRequests().size() == 1);
      // With a 10 ms backoff, a retrying watch would have asked dozens of times meanwhile.
      assertThat(notices.poll(Duration.ofMillis(500))).isNull();
      watch.close();
    });

    assertThat(server.watchRequests()).hasSize(1);
    assertThat(logs.lines().filter(l -> l.contains("INFO") && l.contains("does not implement WatchChanges")))
        .hasSize(1);
  }

  @Test
  void closingTheHandleCancelsTheStreamAndStopsReconnecting() throws Exception {
    GrpcFlagStore store = store();
    AutoCloseable watch = store.watchChanges(notices);
    ServerStream s1 = streams.next();
    s1.everything("e1", 1);
    assertThat(notices.next()).isEqualTo("everything");

    watch.close();
    watch.close();

    assertThat(s1.awaitCancelled()).isTrue();
    s1.send("e1", 2, "a");
    assertThat(streams.poll(Duration.ofMillis(300))).as("no stream after close").isNull();
    assertThat(notices.isEmpty()).as("no notice after close").isTrue();
    assertThat(server.watchRequests()).hasSize(1);
  }

  @Test
  void closingTheHandleWhileReconnectingStopsTheAttempts() throws Exception {
    server.watchHandler((request, events) -> events.onError(Status.UNAVAILABLE.asRuntimeException()));
    AutoCloseable watch = store().watchChanges(notices);
    eventually(Duration.ofSeconds(10), () -> server.watchRequests().size() >= 3);

    watch.close();
    // An attempt started just before close() may still arrive; after that, none.
    Thread.sleep(150);
    int afterClose = server.watchRequests().size();
    Thread.sleep(400);

    assertThat(server.watchRequests()).hasSize(afterClose);
    assertThat(notices.isEmpty()).isTrue();
  }

  @Test
  void closingTheStoreStopsEveryWatchAndRefusesNewOnes() throws Exception {
    GrpcFlagStore store = store();
    store.watchChanges(notices);
    store.watchChanges(new Notices());
    ServerStream s1 = streams.next();
    ServerStream s2 = streams.next();

    store.close();

    assertThat(s1.awaitCancelled()).isTrue();
    assertThat(s2.awaitCancelled()).isTrue();
    assertThatThrownBy(() -> store.watchChanges(notices)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThat(streams.poll(Duration.ofMillis(300))).isNull();
    assertThat(server.watchRequests()).hasSize(2);
  }

  @Test
  void aListenerThatThrowsKeepsGettingLaterNotices() throws Exception {
    List<String> received = new ArrayList<>();
    Notices throwing = new Notices() {
      @Override
      public void flagsChanged(Set<String> flags) {
        super.flagsChanged(flags);
        if (flags.contains("boom")) {
          throw new IllegalStateException("listener bug");
        }
        if (flags.contains("error")) {
          throw new AssertionError("listener error");
        }
      }

      @Override
      public void everythingChanged() {
        super.everythingChanged();
        throw new IllegalStateException("listener bug");
      }
    };
    String logs = captureStderr(() -> {
      toClose.add(store().watchChanges(throwing));
      ServerStream s = streams.next();
      s.everything("e1", 1).send("e1", 2, "boom").send("e1", 3, "error").send("e1", 4, "error")
          .send("e1", 5, "fine");
      for (int i = 0; i < 5; i++) {
        received.add(throwing.next());
      }
    });

    assertThat(received).containsExactly("everything", "keys [boom]", "keys [error]", "keys [error]", "keys [fine]");
    assertThat(server.watchRequests()).as("the stream survived").hasSize(1);
    assertThat(logs.lines().filter(l -> l.contains("ERROR") && l.contains("change listener threw")))
        .as("once per kind of failure").hasSize(2);
  }

  @Test
  void theTokenReachesTheServerOnTheStreamAndNeverAppearsInLogs() throws Exception {
    List<String> strings = new ArrayList<>();
    String logs = captureStderr(() -> {
      GrpcFlagStore store = track(builder().bearerToken(TOKEN)
          .watchReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build());
      AutoCloseable watch = store.watchChanges(notices);
      streams.next().fail(Status.UNAUTHENTICATED.withDescription("token " + TOKEN + " has expired"));
      streams.next().fail(Status.PERMISSION_DENIED.withDescription("Bearer " + TOKEN + " may not"));
      ServerStream s3 = streams.next();
      s3.everything("e1", 1);
      assertThat(notices.next()).isEqualTo("everything");
      s3.fail(Status.INTERNAL.withDescription("crashed handling Bearer " + TOKEN));
      streams.next().fail(Status.UNAUTHENTICATED.withDescription(TOKEN));
      streams.next();
      strings.add(store.toString());
      strings.add(watch.toString());
    });

    assertThat(server.watchAuthorizations()).hasSize(5).containsOnly("Bearer " + TOKEN);
    assertThat(logs).doesNotContain(TOKEN);
    assertThat(strings).allSatisfy(s -> assertThat(s).doesNotContain(TOKEN));
    assertThat(logs.lines().filter(l -> l.contains("ERROR") && l.contains("may not watch changes")))
        .as("once per incident: before and after the working stream").hasSize(2);
  }

  @Test
  void refusedCredentialsAreRetriedAtTheLongestBackoff() throws Exception {
    GrpcFlagStore store = track(builder().watchReconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(400)).build());
    toClose.add(store.watchChanges(notices));
    List<ServerStream> attempts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ServerStream s = streams.next();
      attempts.add(s);
      s.fail(Status.UNAUTHENTICATED);
    }

    for (int i = 1; i < attempts.size(); i++) {
      long gapMillis = TimeUnit.NANOSECONDS.toMillis(attempts.get(i).openedNanos - attempts.get(i - 1).openedNanos);
      assertThat(gapMillis).as("at least half the 400 ms maximum, never the 5 ms initial backoff")
          .isGreaterThanOrEqualTo(200);
    }
  }
}
