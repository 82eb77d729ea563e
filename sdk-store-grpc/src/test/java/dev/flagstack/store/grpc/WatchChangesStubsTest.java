package dev.flagstack.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Checks that the artifact's generated server base class and blocking client stub carry WatchChanges over a
 * real server, with the semantics the README gives a server. The store's own client of it is tested in
 * {@link GrpcWatchChangesTest} and {@link GrpcWatchLifecycleTest}.
 */
class WatchChangesStubsTest {
  /** A server keeping the last three changes of epoch "e1" at versions 8 to 10, as the README describes. */
  private static final class ReplayingService extends FlagServiceGrpc.FlagServiceImplBase {
    @Override
    public void watchChanges(WatchChangesRequest request, StreamObserver<ChangeEvent> events) {
      long current = 10;
      if (request.getEpoch().equals("e1") && request.getSinceVersion() >= 7 && request.getSinceVersion() <= current) {
        for (long v = request.getSinceVersion() + 1; v <= current; v++) {
          events.onNext(ChangeEvent.newBuilder().setEpoch("e1").setVersion(v).addFlagKeys("flag-" + v).build());
        }
      } else {
        events.onNext(ChangeEvent.newBuilder().setEpoch("e1").setVersion(current).setEverything(true).build());
      }
      events.onNext(ChangeEvent.newBuilder().setEpoch("e1").setVersion(current).build()); // heartbeat
      events.onError(Status.UNAVAILABLE.withDescription("draining").asRuntimeException());
    }
  }

  @Test
  void aClientUpToDateInTheEpochGetsTheMissedChangesAndOthersGetEverything() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new ReplayingService()).build().start();
    try (GrpcFlagStoreTest.ClosingChannel channel = new GrpcFlagStoreTest.ClosingChannel("127.0.0.1:" + server.getPort())) {
      FlagServiceGrpc.FlagServiceBlockingStub stub = FlagServiceGrpc.newBlockingStub(channel.channel);

      List<ChangeEvent> caughtUp = read(stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.newBuilder().setEpoch("e1").setSinceVersion(8).build()));
      List<ChangeEvent> fresh = read(stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.getDefaultInstance()));
      List<ChangeEvent> otherEpoch = read(stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.newBuilder().setEpoch("e0").setSinceVersion(9).build()));

      assertThat(caughtUp).extracting(ChangeEvent::getVersion).containsExactly(9L, 10L, 10L);
      assertThat(caughtUp.get(0).getFlagKeysList()).containsExactly("flag-9");
      assertThat(caughtUp.get(2).getEverything()).isFalse();
      assertThat(caughtUp.get(2).getFlagKeysList()).as("a heartbeat").isEmpty();
      for (List<ChangeEvent> events : List.of(fresh, otherEpoch)) {
        assertThat(events.get(0).getEverything()).isTrue();
        assertThat(events.get(0).getVersion()).isEqualTo(10L);
        assertThat(events.get(0).getFlagKeysList()).isEmpty();
      }
    } finally {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** The events of one stream, until the server ends it with UNAVAILABLE as this one always does. */
  private static List<ChangeEvent> read(Iterator<ChangeEvent> stream) {
    List<ChangeEvent> events = new ArrayList<>();
    try {
      while (stream.hasNext()) {
        events.add(stream.next());
      }
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      return events;
    }
    throw new AssertionError("the stream ended without the server's UNAVAILABLE");
  }
}
