package dev.flagstack.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import dev.flagstack.store.rest.RestFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference service used by the SDK's own network stores, gRPC and OFREP, over real sockets: both
 * agree with {@link FlagDefinition#evaluate}, report unknown flags as absent and broken definitions as
 * non-transient, keep answering across a stop and start on the same ports, and push changes on WatchChanges.
 */
class ReferenceServiceClientsTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static ReferenceFlagService service;
  private static MongoClient admin;
  private static MongoCollection<Document> flags;

  @BeforeAll
  static void startService() throws Exception {
    admin = MongoClients.create(mongo.connectionString());
    flags = admin.getDatabase("flagstack").getCollection("flags");
    service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
        .refreshInterval(Duration.ofHours(1)).heartbeatInterval(Duration.ofMillis(200)).build().start();
  }

  @AfterAll
  static void stopService() {
    service.close();
    admin.close();
  }

  @BeforeEach
  void seed() {
    flags.deleteMany(new Document());
    flags.insertMany(List.of(
        new Document("_id", "half").append("value", "control")
            .append("rollout", new Document("percentage", 50).append("value", "treatment")),
        new Document("_id", "limits").append("type", "json").append("value", new Document("max", 5)),
        new Document("_id", "broken").append("type", "long").append("value", "x")));
    assertThat(service.refreshNow()).isTrue();
  }

  static Stream<String> protocols() {
    return Stream.of("grpc", "ofrep");
  }

  private static FlagStore store(String protocol) {
    return protocol.equals("grpc")
        ? GrpcFlagStore.builder().target(service.grpcTarget()).plaintext().callTimeout(Duration.ofSeconds(2)).build()
        : RestFlagStore.builder().baseUrl(service.ofrepBaseUrl()).callTimeout(Duration.ofSeconds(2)).build();
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void bothProtocolsAgreeWithFlagDefinitionEvaluateForEveryEntity(String protocol) {
    FlagDefinition half = service.snapshotForTests().definitions().get("half");
    try (FlagStore store = store(protocol)) {
      Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < 100; i++) {
        String entity = "entity-" + i;
        Map<String, FlagValue> values = store.getFlags(entity, Set.of("half", "limits", "nope"))
            .toCompletableFuture().join();
        assertThat(values).containsOnlyKeys("half", "limits");
        assertThat(values.get("half")).isEqualTo(half.evaluate(entity));
        assertThat(values.get("limits")).isEqualTo(FlagValue.object(Map.of("max", 5L)));
        seen.add(values.get("half").stringValue());
      }
      assertThat(seen).containsExactlyInAnyOrder("control", "treatment");
    }
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void aBrokenDefinitionIsANonTransientError(String protocol) {
    try (FlagStore store = store(protocol)) {
      assertThatThrownBy(() -> store.getFlags("e", Set.of("broken")).toCompletableFuture().join())
          .isInstanceOf(CompletionException.class)
          .satisfies(e -> assertThat(StoreException.isTransient(e)).isFalse())
          .satisfies(e -> assertThat(((FlagException) StoreException.unwrap(e)).errorKind())
              .isIn(FlagErrorKind.REJECTED, FlagErrorKind.INVALID_REQUEST));
    }
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void aSlowServiceIsATransientTimeoutAndAStoppedOneIsTransientThenBack(String protocol) throws Exception {
    try (FlagStore store = GrpcOrRest.withTimeout(protocol, Duration.ofMillis(300))) {
      service.delay(Duration.ofMillis(800));
      try {
        assertThatThrownBy(() -> store.getFlags("e", Set.of("half")).toCompletableFuture().join())
            .satisfies(e -> assertThat(StoreException.isTransient(e)).isTrue());
      } finally {
        service.delay(Duration.ZERO);
      }
      service.stop();
      try {
        assertThatThrownBy(() -> store.getFlags("e", Set.of("half")).toCompletableFuture().join())
            .satisfies(e -> assertThat(StoreException.isTransient(e)).isTrue());
      } finally {
        service.start();
      }
      assertThat(store.getFlags("e", Set.of("limits")).toCompletableFuture().join()).containsKey("limits");
    }
  }

  @Test
  void watchChangesStartsWithEverythingThenPushesChangedKeysAndReplaysMissedOnes() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(service.grpcTarget()).usePlaintext().build();
    try {
      FlagServiceGrpc.FlagServiceBlockingStub stub = FlagServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS);
      Iterator<ChangeEvent> events = stub.watchChanges(WatchChangesRequest.getDefaultInstance());
      ChangeEvent first = events.next();
      assertThat(first.getEverything()).isTrue();
      assertThat(first.getVersion()).isEqualTo(service.definitionsVersion());

      flags.updateOne(new Document("_id", "limits"), new Document("$set", new Document("value", new Document("max", 6))));
      assertThat(service.refreshNow()).isTrue();
      ChangeEvent change = nextNonHeartbeat(events);
      assertThat(change.getFlagKeysList()).containsExactly("limits");
      assertThat(change.getVersion()).isEqualTo(first.getVersion() + 1);

      flags.deleteOne(new Document("_id", "half"));
      assertThat(service.refreshNow()).isTrue();
      Iterator<ChangeEvent> resumed = FlagServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.newBuilder().setEpoch(change.getEpoch())
              .setSinceVersion(change.getVersion()).build());
      ChangeEvent replayed = resumed.next();
      assertThat(replayed.getEverything()).isFalse();
      assertThat(replayed.getFlagKeysList()).containsExactly("half");

      Iterator<ChangeEvent> otherEpoch = FlagServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.newBuilder().setEpoch("another-process").setSinceVersion(1).build());
      assertThat(otherEpoch.next().getEverything()).isTrue();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void heartbeatsRepeatTheCurrentVersionOnAnIdleStream() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(service.grpcTarget()).usePlaintext().build();
    try {
      Iterator<ChangeEvent> events = FlagServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchChanges(WatchChangesRequest.getDefaultInstance());
      ChangeEvent first = events.next();
      ChangeEvent beat = events.next();
      assertThat(beat.getEverything()).isFalse();
      assertThat(beat.getFlagKeysCount()).isZero();
      assertThat(beat.getVersion()).isEqualTo(first.getVersion());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPollingRestStoreLearnsOfARuleChangeOnlyOtherEntitiesSee() throws Exception {
    java.util.concurrent.BlockingQueue<Set<String>> notices = new java.util.concurrent.LinkedBlockingQueue<>();
    try (RestFlagStore store = RestFlagStore.builder().baseUrl(service.ofrepBaseUrl())
            .changePollInterval(Duration.ofMillis(50)).build();
        AutoCloseable watch = store.watchChanges(new dev.flagstack.spi.FlagChangeListener() {
          @Override
          public void flagsChanged(Set<String> changed) {
            notices.add(changed);
          }

          @Override
          public void everythingChanged() {
            notices.add(Set.of("*"));
          }
        })) {
      // Let the first poll take its baseline, then change an override for an entity that is not the probe.
      long before = service.bulkRepliesForTests();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (service.bulkRepliesForTests() == before && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      flags.updateOne(new Document("_id", "half"), new Document("$set",
          new Document("overrides", List.of(new Document("entity", "someone-else").append("value", "pinned")))));
      assertThat(service.refreshNow()).isTrue();
      Set<String> notice = notices.poll(5, TimeUnit.SECONDS);
      assertThat(notice).as("the definition tag in each flag's metadata names the changed flag").containsExactly("half");
    }
  }

  private static ChangeEvent nextNonHeartbeat(Iterator<ChangeEvent> events) {
    while (true) {
      ChangeEvent e = events.next();
      if (e.getEverything() || e.getFlagKeysCount() > 0) {
        return e;
      }
    }
  }

  /** Builds a store of either protocol with a given call timeout. */
  private static final class GrpcOrRest {
    static FlagStore withTimeout(String protocol, Duration timeout) {
      return protocol.equals("grpc")
          ? GrpcFlagStore.builder().target(service.grpcTarget()).plaintext().callTimeout(timeout).build()
          : RestFlagStore.builder().baseUrl(service.ofrepBaseUrl()).callTimeout(timeout).build();
    }
  }
}
