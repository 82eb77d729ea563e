package dev.flagstack.benchmarks;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.GetFlagsRequest;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A primary miss through {@link FlagClient} with a {@link GrpcFlagStore} primary, against the same
 * {@code GetFlags} call made with the generated blocking stub, both to one real Netty gRPC server on
 * loopback in this JVM that implements the generated {@code FlagServiceImplBase}.
 *
 * <p>The client has no cache tier, so every read is a miss that goes to the primary, for a new entity each
 * time. {@link BackendCalls} counts the server's calls per read (1.00 for a miss); tear-down fails unless
 * the server answered exactly one call per read and the primary's breaker stayed closed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class GrpcPrimaryMissBenchmark {
  static final String FLAG = "new-checkout";
  static final int ENTITIES = 1024;

  private final AtomicLong serverCalls = new AtomicLong();
  private Server server;
  private ManagedChannel channel;
  private FlagServiceGrpc.FlagServiceBlockingStub blocking;
  private FlagServiceGrpc.FlagServiceFutureStub future;
  private GrpcFlagStore store;
  private FlagClient client;
  private String[] entities;
  private int next;
  private long reads;
  private long callsBefore;

  /** Answers {@code true} for every flag asked, as a flags server with a static flag would. */
  static final class AlwaysOn extends FlagServiceGrpc.FlagServiceImplBase {
    private final AtomicLong calls;

    AlwaysOn(AtomicLong calls) {
      this.calls = calls;
    }

    @Override
    public void getFlags(GetFlagsRequest request, StreamObserver<GetFlagsResponse> reply) {
      calls.incrementAndGet();
      GetFlagsResponse.Builder response = GetFlagsResponse.newBuilder();
      for (String key : request.getFlagKeysList()) {
        response.addResults(FlagResult.newBuilder().setFlagKey(key).setReason("STATIC").setVariant("on")
            .setValue(dev.flagstack.store.grpc.v1.FlagValue.newBuilder().setBoolValue(true)));
      }
      reply.onNext(response.build());
      reply.onCompleted();
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new AlwaysOn(serverCalls))
        .directExecutor() // the service never blocks: answer on the event loop, for both sides alike
        .build()
        .start();
    String target = "127.0.0.1:" + server.getPort();
    channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    blocking = FlagServiceGrpc.newBlockingStub(channel);
    future = FlagServiceGrpc.newFutureStub(channel);
    store = GrpcFlagStore.builder().target(target).plaintext().build();
    entities = new String[ENTITIES];
    for (int i = 0; i < ENTITIES; i++) {
      entities[i] = String.format("tenant-%04d", i);
    }
    // Connect both channels and load gRPC's classes before the client exists: on a busy machine the first
    // call can outlast the 1 s deadline, and failed reads through the client would count against its breaker.
    blocking.withDeadlineAfter(30, TimeUnit.SECONDS).getFlags(request());
    warmUp(store);
    client = FlagClient.builder().primary(store).build();
    long warmUpCalls = serverCalls.get();

    FlagDetail detail = client.getFlagDetail(entities[0], FLAG, FlagValue.FALSE);
    if (detail.source() != FlagSource.PRIMARY || !store.name().equals(detail.layer())
        || !FlagValue.TRUE.equals(detail.value())) {
      throw new IllegalStateException("a read is not a primary hit: " + detail);
    }
    if (!rawStub().getResults(0).getValue().getBoolValue() || !futureStub().getResults(0).getValue().getBoolValue()) {
      throw new IllegalStateException("the raw stub call did not read the flag");
    }
    if (serverCalls.get() - warmUpCalls != 3) {
      throw new IllegalStateException("set-up made " + (serverCalls.get() - warmUpCalls) + " calls, expected 3");
    }
    callsBefore = serverCalls.get();
    reads = 0;
  }

  @TearDown(Level.Trial)
  public void checkEveryReadWasOneCall() throws InterruptedException {
    long calls = serverCalls.get() - callsBefore;
    BreakerState breaker = client.primaryBreakerState();
    client.close();
    store.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (calls != reads) {
      throw new IllegalStateException(reads + " reads made " + calls + " server calls: not one call per read");
    }
    if (breaker != BreakerState.CLOSED) {
      throw new IllegalStateException("the primary's breaker is " + breaker + ": some reads failed");
    }
  }

  /** The baseline: the generated blocking stub's call, with a 1 s deadline as the store sets. */
  @Benchmark
  public GetFlagsResponse rawStub(BackendCalls calls) {
    long before = serverCalls.get();
    GetFlagsResponse response = rawStub();
    calls.count(before, serverCalls.get());
    return response;
  }

  /**
   * For reference, not a layer: the generated future stub's call, awaited. Like the store's async call,
   * its answer completes on another thread and wakes the caller; the blocking stub runs it on the caller.
   */
  @Benchmark
  public GetFlagsResponse futureStub(BackendCalls calls) {
    long before = serverCalls.get();
    GetFlagsResponse response = futureStub();
    calls.count(before, serverCalls.get());
    return response;
  }

  /** A primary miss: the client, its breaker and the gRPC store's async call and reply mapping. */
  @Benchmark
  public FlagValue getFlag(BackendCalls calls) {
    long before = serverCalls.get();
    FlagValue value = client.getFlag(nextEntity(), FLAG);
    reads++;
    calls.count(before, serverCalls.get());
    return value;
  }

  /** Calls the store until one call succeeds, for at most 30 s. */
  private void warmUp(GrpcFlagStore warming) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        warming.getFlags(entities[0], Set.of(FLAG)).toCompletableFuture().join();
        return;
      } catch (CompletionException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the gRPC store did not answer within 30 s", e.getCause());
        }
      }
    }
  }

  private GetFlagsResponse rawStub() {
    reads++;
    return blocking.withDeadlineAfter(1, TimeUnit.SECONDS).getFlags(request());
  }

  private GetFlagsResponse futureStub() {
    reads++;
    try {
      return future.withDeadlineAfter(1, TimeUnit.SECONDS).getFlags(request()).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private GetFlagsRequest request() {
    return GetFlagsRequest.newBuilder().setEntityId(nextEntity()).addFlagKeys(FLAG).build();
  }

  private String nextEntity() {
    String entity = entities[next];
    next = (next + 1) & (ENTITIES - 1);
    return entity;
  }
}
