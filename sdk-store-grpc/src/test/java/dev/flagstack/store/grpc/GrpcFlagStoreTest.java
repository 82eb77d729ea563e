package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.await;
import static dev.flagstack.store.grpc.GrpcTestSupport.eventually;
import static dev.flagstack.store.grpc.GrpcTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcFlagStoreTest {
  private FlagTestServer server;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = FlagTestServer.start();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  /** Generous, so that a cold JVM on a busy machine never fails a test that is not about time. */
  static final Duration SLOW_MACHINE = Duration.ofSeconds(10);

  private GrpcFlagStore store() {
    return track(GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(SLOW_MACHINE).build());
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  @Test
  void valuesOfEveryTypeRoundTrip() throws Exception {
    Map<String, FlagValue> expected = new LinkedHashMap<>();
    expected.put("on", FlagValue.TRUE);
    expected.put("off", FlagValue.FALSE);
    expected.put("text", FlagValue.of("héllo \"wörld\" 100% ✓"));
    expected.put("empty-text", FlagValue.of(""));
    expected.put("max", FlagValue.of(Long.MAX_VALUE));
    expected.put("min", FlagValue.of(Long.MIN_VALUE));
    expected.put("ratio", FlagValue.of(0.1));
    expected.put("negative-zero", FlagValue.of(-0.0));
    expected.put("tiny", FlagValue.of(Double.MIN_VALUE));
    expected.put("object", FlagValue.fromJson("{\"limits\":{\"rps\":100,\"burst\":2.5},\"tags\":[\"a\",null,true]}"));
    expected.put("array", FlagValue.fromJson("[1,\"two\",{\"three\":3.0},[]]"));
    expected.forEach(server::put);

    Map<String, FlagValue> values = await(store().getFlags("tenant-42", expected.keySet()));

    assertThat(values).isEqualTo(expected);
    assertThat(values.get("negative-zero").doubleValue()).isEqualTo(-0.0);
    assertThat(values.get("object").jsonValue()).isEqualTo(expected.get("object").jsonValue());
  }

  @Test
  void unknownFlagIsAbsentNotAnError() throws Exception {
    server.put("known", FlagValue.of(7L));

    Map<String, FlagValue> values = await(store().getFlags("e", Set.of("known", "unknown")));

    assertThat(values).containsExactly(Map.entry("known", FlagValue.of(7L)));
  }

  @Test
  void oddIdsArriveIntactAndComeBackUnderTheSameKeys() throws Exception {
    String longId = "x".repeat(500) + "é\"%'ü";
    List<String> entities = List.of("quote\"d 'single'", "100%25 %s %n", "émoji 🚀 日本語 עברית", "a.b$c:d/e\\f",
        "e".repeat(512), longId);
    for (String entity : entities) {
      Set<String> flags = new LinkedHashSet<>(List.of("flag \"" + entity + "\"", "%" + entity, "k".repeat(512),
          "🚩" + entity.substring(0, Math.min(10, entity.length()))));
      for (String flag : flags) {
        server.put(entity, flag, FlagValue.of(entity + "|" + flag));
      }
      Map<String, FlagValue> values = await(store().getFlags(entity, flags));
      assertThat(values).hasSize(flags.size());
      for (String flag : flags) {
        assertThat(values.get(flag)).as(flag).isEqualTo(FlagValue.of(entity + "|" + flag));
      }
      assertThat(server.requests().get(server.requests().size() - 1).getEntityId()).isEqualTo(entity);
    }
  }

  @Test
  void batchOfAThousandFlagsIsOneCall() throws Exception {
    Set<String> flags = new LinkedHashSet<>();
    for (int i = 0; i < 1000; i++) {
      String flag = "flag-" + i + "-" + "ü".repeat(i % 40);
      flags.add(flag);
      if (i % 2 == 0) {
        server.put(flag, FlagValue.of((long) i));
      }
    }

    Map<String, FlagValue> values = await(store().getFlags("tenant-42", flags));

    assertThat(server.calls()).isEqualTo(1);
    assertThat(server.requests().get(0).getFlagKeysList()).containsExactlyElementsOf(flags);
    assertThat(values).hasSize(500);
    values.forEach((flag, value) -> assertThat(flag).startsWith("flag-" + value.longValue() + "-"));
  }

  @Test
  void aServerThatNeverAnswersFailsTransientlyAtTheDeadline() throws Exception {
    // Connected first, so that the 200 ms are spent waiting for the answer, not connecting.
    ManagedChannel channel = track(new ClosingChannel(server.target())).channel;
    server.put("warm", FlagValue.TRUE);
    await(GrpcFlagStore.builder().channel(channel).callTimeout(SLOW_MACHINE).build().getFlags("e", Set.of("warm")));
    CountDownLatch cancelledOnServer = new CountDownLatch(1);
    server.handler((request, reply) -> Context.current().addListener(c -> cancelledOnServer.countDown(), Runnable::run));
    GrpcFlagStore store = track(GrpcFlagStore.builder().channel(channel).callTimeout(Duration.ofMillis(200)).build());

    long start = System.nanoTime();
    StoreException e = failure(store.getFlags("e", Set.of("f")));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains("DEADLINE_EXCEEDED");
    assertThat(elapsedMs).isBetween(150L, 5_000L);
    assertThat(cancelledOnServer.await(5, TimeUnit.SECONDS)).as("the server sees the deadline too").isTrue();
  }

  @Test
  void aListenerThatAcceptsAndNeverSpeaksFailsTransientlyAtTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (Exception closed) {
          // the socket was closed: done
        }
      }, "silent-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      GrpcFlagStore store = track(GrpcFlagStore.builder().target("127.0.0.1:" + silent.getLocalPort()).plaintext()
          .callTimeout(Duration.ofMillis(200)).build());

      long start = System.nanoTime();
      StoreException e = failure(store.getFlags("e", Set.of("f")));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(e.isTransient()).isTrue();
      assertThat(elapsedMs).isBetween(150L, 5_000L);
      assertThat(accepted).isNotEmpty();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void aClosedPortFailsTransiently() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    GrpcFlagStore store = track(GrpcFlagStore.builder().target("127.0.0.1:" + closedPort).plaintext().callTimeout(SLOW_MACHINE).build());

    StoreException e = failure(store.getFlags("e", Set.of("f")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains("UNAVAILABLE");
  }

  @Test
  void theFirstCallAfterTheServerReturnsSucceedsDespiteTheChannelsReconnectBackoff() throws Exception {
    server.put("f", FlagValue.TRUE);
    GrpcFlagStore store = store();
    await(store.getFlags("e", Set.of("f")));

    server.stop();
    assertThat(failure(store.getFlags("e", Set.of("f"))).isTransient()).isTrue();
    server.restart();

    // Right after the failed call gRPC may not yet have moved the channel into its backoff state, and a
    // call then fails at once; once it has, a call cuts the backoff short. So: success on the first or,
    // after such a race, the second call - without the fix every call fails until the backoff (up to
    // 2 min) has run out.
    Map<String, FlagValue> values;
    try {
      values = await(store.getFlags("e", Set.of("f")));
    } catch (java.util.concurrent.ExecutionException firstAttemptRacedTheChannelState) {
      values = await(store.getFlags("e", Set.of("f")));
    }
    assertThat(values).containsEntry("f", FlagValue.TRUE);
  }

  @Test
  void aReplyOverTheInboundLimitIsNotTransient() throws Exception {
    server.put("big", FlagValue.of("x".repeat(20_000)));
    GrpcFlagStore store = track(GrpcFlagStore.builder().target(server.target()).plaintext()
        .maxInboundMessageSize(8 * 1024).callTimeout(SLOW_MACHINE).build());

    StoreException e = failure(store.getFlags("e", Set.of("big")));

    assertThat(e.isTransient()).isFalse();
    assertThat(e.errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED").contains("the reply is larger than maxInboundMessageSize (8192 bytes)");
    server.put("small", FlagValue.TRUE);
    assertThat(await(store.getFlags("e", Set.of("small")))).containsEntry("small", FlagValue.TRUE);
  }

  @Test
  void aRequestOverTheServersLimitIsNotTransient() throws Exception {
    try (FlagTestServer strict = FlagTestServer.start(1024)) {
      GrpcFlagStore store = track(GrpcFlagStore.builder().target(strict.target()).plaintext().callTimeout(SLOW_MACHINE).build());
      Set<String> flags = new LinkedHashSet<>();
      for (int i = 0; i < 100; i++) {
        flags.add("flag-with-a-rather-long-name-" + i);
      }

      StoreException e = failure(store.getFlags("e", flags));

      assertThat(e.isTransient()).isFalse();
      assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED").contains("the request is larger than the server accepts");
    }
  }

  @Test
  void serverSideResourceExhaustedIsTransient() throws Exception {
    server.handler((request, reply) -> reply.onError(io.grpc.Status.RESOURCE_EXHAUSTED
        .withDescription("rate limit: 100 calls per second").asRuntimeException()));

    StoreException e = failure(store().getFlags("e", Set.of("f")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains("rate limit");
  }

  @Test
  void reasonAndVariantAreAcceptedAndDoNotChangeTheValue() throws Exception {
    server.handler((request, reply) -> {
      reply.onNext(GetFlagsResponse.newBuilder().addResults(FlagResult.newBuilder().setFlagKey("f")
          .setValue(ProtocolValues.toProto(FlagValue.of("blue"))).setVariant("treatment-b").setReason("ROLLOUT"))
          .build());
      reply.onCompleted();
    });

    assertThat(await(store().getFlags("e", Set.of("f")))).containsExactly(Map.entry("f", FlagValue.of("blue")));
  }

  @Test
  void cancellingTheStageCancelsTheCallOnTheServer() throws Exception {
    CountDownLatch cancelledOnServer = new CountDownLatch(1);
    server.handler((request, reply) -> Context.current().addListener(c -> cancelledOnServer.countDown(), Runnable::run));
    GrpcFlagStore store = track(GrpcFlagStore.builder().target(server.target()).plaintext()
        .callTimeout(Duration.ofSeconds(30)).build());

    CompletableFuture<Map<String, FlagValue>> pending = store.getFlags("e", Set.of("f")).toCompletableFuture();
    assertThat(pending).as("getFlags returns before the server answers").isNotDone();
    eventually(Duration.ofSeconds(5), () -> server.calls() == 1);
    pending.cancel(false);

    assertThat(cancelledOnServer.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void manyConcurrentCallsEachGetTheirOwnEntitysValues() throws Exception {
    GrpcFlagStore store = store();
    List<CompletableFuture<Map<String, FlagValue>>> pending = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      server.put("entity-" + i, "f", FlagValue.of((long) i));
      pending.add(store.getFlags("entity-" + i, Set.of("f", "unknown")).toCompletableFuture());
    }

    for (int i = 0; i < 300; i++) {
      assertThat(await(pending.get(i))).as("entity-" + i).containsExactly(Map.entry("f", FlagValue.of((long) i)));
    }
    assertThat(server.calls()).isEqualTo(300);
  }

  @Test
  void stagesCompleteOnTheGivenExecutor() throws Exception {
    AtomicInteger tasks = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-grpc-callbacks"));
    toClose.add(pool::shutdownNow);
    server.put("f", FlagValue.TRUE);
    GrpcFlagStore store = track(GrpcFlagStore.builder().target(server.target()).plaintext()
        .executor(task -> {
          tasks.incrementAndGet();
          pool.execute(task);
        }).build());

    String thread = await(store.getFlags("e", Set.of("f")).thenApply(v -> Thread.currentThread().getName()));

    assertThat(thread).isEqualTo("my-grpc-callbacks");
    assertThat(tasks.get()).isPositive();
  }

  @Test
  void closingABuiltStoreClosesItsChannelAndLaterCallsFailTransiently() throws Exception {
    server.put("f", FlagValue.TRUE);
    GrpcFlagStore store = GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(SLOW_MACHINE).build();
    await(store.getFlags("e", Set.of("f")));
    assertThat(server.openConnections()).isEqualTo(1);

    store.close();
    store.close();

    eventually(Duration.ofSeconds(5), () -> server.openConnections() == 0);
    assertThat(store.isClosed()).isTrue();
    StoreException e = failure(store.getFlags("e", Set.of("f")));
    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains("closed");
  }

  @Test
  void closingNeverShutsDownASuppliedChannel() throws Exception {
    server.put("f", FlagValue.TRUE);
    ManagedChannel channel = track(new ClosingChannel(server.target())).channel;
    GrpcFlagStore first = GrpcFlagStore.builder().channel(channel).callTimeout(SLOW_MACHINE).build();
    await(first.getFlags("e", Set.of("f")));

    first.close();

    assertThat(channel.isShutdown()).isFalse();
    GrpcFlagStore second = track(GrpcFlagStore.builder().channel(channel).name("second").callTimeout(SLOW_MACHINE).build());
    assertThat(await(second.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.TRUE);
    assertThat(server.openConnections()).isEqualTo(1);
    assertThat(first.toString()).contains("ownsChannel=false");
  }

  @Test
  void closeWaitsBoundedTimeForACallThatNeverEnds() throws Exception {
    server.handler((request, reply) -> { /* never answers */ });
    GrpcFlagStore store = GrpcFlagStore.builder().target(server.target()).plaintext()
        .callTimeout(Duration.ofMillis(300)).build();
    CompletableFuture<Map<String, FlagValue>> pending = store.getFlags("e", Set.of("f")).toCompletableFuture();
    eventually(Duration.ofSeconds(5), () -> server.calls() == 1);

    long start = System.nanoTime();
    store.close();
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(elapsedMs).isLessThan(300 + 1_000 + 2_000);
    assertThat(failure(pending).isTransient()).isTrue();
  }

  /** A plaintext channel of the test's own, shut down after it. */
  static final class ClosingChannel implements AutoCloseable {
    final ManagedChannel channel;

    ClosingChannel(String target) {
      channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
