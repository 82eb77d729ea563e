package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.await;
import static dev.flagstack.store.grpc.GrpcTestSupport.captureStderr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.store.grpc.WatchTestSupport.Notices;
import dev.flagstack.store.grpc.WatchTestSupport.ServerStream;
import dev.flagstack.store.grpc.WatchTestSupport.Streams;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What WatchChanges events mean for the listener, over a real server whose streams the tests drive. */
class GrpcWatchChangesTest {
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

  private GrpcFlagStore store() {
    GrpcFlagStore store = GrpcFlagStore.builder().target(server.target()).plaintext()
        .callTimeout(GrpcFlagStoreTest.SLOW_MACHINE)
        .watchReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .build();
    toClose.add(store);
    return store;
  }

  private void watch(GrpcFlagStore store) {
    toClose.add(store.watchChanges(notices));
  }

  @Test
  void changedKeysReachTheListenerAndHeartbeatsDoNot() throws Exception {
    server.put("f", FlagValue.TRUE);
    GrpcFlagStore store = store();
    assertThat(await(store.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.TRUE);
    watch(store);

    ServerStream s1 = streams.next();
    assertThat(s1.from()).as("a first watch has no position").isEqualTo("/0");
    s1.everything("e1", 5);
    assertThat(notices.next()).isEqualTo("everything");
    s1.send("e1", 5).send("e1", 6, "a", "b");
    assertThat(notices.next()).as("the heartbeat before it said nothing").isEqualTo("keys [a, b]");
    s1.send("e1", 6).send("e1", 6).send("e1", 7, "c");
    assertThat(notices.next()).isEqualTo("keys [c]");

    assertThat(await(store.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.TRUE);
    assertThat(server.openConnections()).as("reads and the stream share one channel").isEqualTo(1);
    assertThat(server.watchRequests()).hasSize(1);
    assertThat(notices.isEmpty()).isTrue();
  }

  @Test
  void aServerRestartWithANewEpochIsReportedAsEverything() throws Exception {
    watch(store());
    ServerStream s1 = streams.next();
    s1.everything("e1", 5).send("e1", 6, "a");
    assertThat(notices.next()).isEqualTo("everything");
    assertThat(notices.next()).isEqualTo("keys [a]");

    server.restart();

    ServerStream s2 = streams.next();
    assertThat(s2.from()).as("the client resumes from the last event it processed").isEqualTo("e1/6");
    // Even a heartbeat of another epoch proves nothing about what changed meanwhile.
    s2.send("e2", 1);
    assertThat(notices.next()).isEqualTo("everything");
    s2.send("e2", 2, "b");
    assertThat(notices.next()).isEqualTo("keys [b]");
  }

  @Test
  void aStreamErrorThenReconnectIsReportedAsEverythingWhenTheServerCannotProveContinuity() throws Exception {
    watch(store());
    ServerStream s1 = streams.next();
    s1.everything("e1", 5).send("e1", 6, "a");
    assertThat(notices.next()).isEqualTo("everything");
    assertThat(notices.next()).isEqualTo("keys [a]");

    s1.fail(Status.UNAVAILABLE.withDescription("draining"));
    ServerStream s2 = streams.next();
    assertThat(s2.from()).isEqualTo("e1/6");
    s2.everything("e1", 9).send("e1", 10, "x");
    assertThat(notices.next()).isEqualTo("everything");
    assertThat(notices.next()).isEqualTo("keys [x]");

    s2.complete();
    ServerStream s3 = streams.next();
    assertThat(s3.from()).as("a stream the server ended normally is reopened too").isEqualTo("e1/10");
    s3.everything("e1", 12);
    assertThat(notices.next()).isEqualTo("everything");
  }

  @Test
  void aServerThatProvesContinuityAfterAReconnectCostsOnlyTheMissedKeys() throws Exception {
    watch(store());
    ServerStream s1 = streams.next();
    s1.everything("e1", 5);
    assertThat(notices.next()).isEqualTo("everything");

    s1.fail(Status.UNAVAILABLE);
    ServerStream s2 = streams.next();
    assertThat(s2.from()).isEqualTo("e1/5");
    s2.send("e1", 6, "a").send("e1", 7, "b");
    assertThat(notices.next()).isEqualTo("keys [a]");
    assertThat(notices.next()).isEqualTo("keys [b]");

    s2.fail(Status.INTERNAL);
    ServerStream s3 = streams.next();
    assertThat(s3.from()).isEqualTo("e1/7");
    s3.send("e1", 7).send("e1", 8, "c");
    assertThat(notices.next()).as("nothing was missed, so nothing more is dropped").isEqualTo("keys [c]");
  }

  @Test
  void aGapABackwardsVersionOrAMalformedEventIsReportedAsEverythingAndLoggedOnce() throws Exception {
    List<String> seen = new ArrayList<>();
    String logs = captureStderr(() -> {
      watch(store());
      ServerStream s = streams.next();
      s.everything("e1", 5).send("e1", 6, "a");
      s.send("e1", 8, "b");                       // a gap: version 7 never came
      s.send("e1", 9, "c");
      s.send("e1", 4, "d");                       // backwards
      s.send("e1", 5, "e");
      s.send(ChangeEvent.newBuilder().setEpoch("e1").setVersion(6).setEverything(true).addFlagKeys("f").build());
      s.send(ChangeEvent.newBuilder().setEpoch("e1").setVersion(7)
          .addAllFlagKeys(IntStream.range(0, 1001).mapToObj(i -> "k" + i).toList()).build());
      s.send("e1", 8, "g");
      s.send("e1", 20);                           // a heartbeat ahead of us: changes were not sent
      s.send("e1", 21, "h");
      s.send("e1", 21, "i");                      // a change repeating the version
      s.send("", 22, "j");                        // no epoch
      for (int i = 0; i < 13; i++) {
        seen.add(notices.next());
      }
    });

    assertThat(seen).containsExactly("everything", "keys [a]", "everything", "keys [c]", "everything", "keys [e]",
        "everything", "everything", "keys [g]", "everything", "keys [h]", "everything", "everything");
    assertThat(server.watchRequests()).as("the stream goes on").hasSize(1);
    assertThat(logs.lines().filter(l -> l.contains("WARN") && l.contains("malformed change event")))
        .as("malformed events are logged at WARN once").hasSize(1);
  }
}
