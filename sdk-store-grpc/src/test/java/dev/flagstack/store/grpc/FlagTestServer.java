package dev.flagstack.store.grpc;

import dev.flagstack.FlagValue;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.GetFlagsRequest;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import dev.flagstack.store.grpc.v1.NotFound;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.Attributes;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server (Netty, on a free loopback port) implementing {@code flagstack.v1.FlagService} from
 * the generated base class. By default it answers from its map of values; {@link #handler} makes it
 * fail, hang or send any reply. It records every request and its authorization header. WatchChanges
 * answers UNIMPLEMENTED (the base class's answer) until a {@link #watchHandler} is set.
 */
final class FlagTestServer implements AutoCloseable {
  /** How one GetFlags call is answered. */
  interface Handler {
    void handle(GetFlagsRequest request, StreamObserver<GetFlagsResponse> reply);
  }

  /** How one WatchChanges call is answered. */
  interface WatchHandler {
    void handle(WatchChangesRequest request, ServerCallStreamObserver<ChangeEvent> events);
  }

  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Map<String, FlagValue> values = new ConcurrentHashMap<>();
  private final Map<String, Map<String, FlagValue>> perEntity = new ConcurrentHashMap<>();
  private final List<GetFlagsRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final List<WatchChangesRequest> watchRequests = new CopyOnWriteArrayList<>();
  private final List<String> watchAuthorizations = new CopyOnWriteArrayList<>();
  private volatile WatchHandler watchHandler;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final Integer maxInboundMessageSize;
  private final boolean tls;
  private volatile Handler handler = this::answerFromValues;
  private volatile Server server;
  private int port;

  private FlagTestServer(Integer maxInboundMessageSize, boolean tls) {
    this.maxInboundMessageSize = maxInboundMessageSize;
    this.tls = tls;
  }

  /** A started server on a free port. */
  static FlagTestServer start() throws IOException {
    return start(null);
  }

  /** A started server that refuses requests over {@code maxInboundMessageSize} bytes (null: gRPC's default). */
  static FlagTestServer start(Integer maxInboundMessageSize) throws IOException {
    return started(new FlagTestServer(maxInboundMessageSize, false));
  }

  /** A started server speaking TLS with the test certificate for localhost and 127.0.0.1 (see resources/tls). */
  static FlagTestServer startTls() throws IOException {
    return started(new FlagTestServer(null, true));
  }

  private static FlagTestServer started(FlagTestServer s) throws IOException {
    s.server = s.newServer(0).start();
    s.port = s.server.getPort();
    return s;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  FlagTestServer put(String flag, FlagValue value) {
    values.put(flag, value);
    return this;
  }

  FlagTestServer put(String entity, String flag, FlagValue value) {
    perEntity.computeIfAbsent(entity, e -> new ConcurrentHashMap<>()).put(flag, value);
    return this;
  }

  FlagTestServer handler(Handler handler) {
    this.handler = handler;
    return this;
  }

  /** Back to answering from the values. */
  FlagTestServer answerFromValues() {
    this.handler = this::answerFromValues;
    return this;
  }

  int calls() {
    return calls.get();
  }

  /** Answers WatchChanges with {@code handler}; null: UNIMPLEMENTED. */
  FlagTestServer watchHandler(WatchHandler handler) {
    this.watchHandler = handler;
    return this;
  }

  /** Every WatchChanges request received, in order. */
  List<WatchChangesRequest> watchRequests() {
    return watchRequests;
  }

  /** The authorization header of every WatchChanges call, {@code <none>} if absent. */
  List<String> watchAuthorizations() {
    return watchAuthorizations;
  }

  /** Client connections open now. */
  int openConnections() {
    return openConnections.get();
  }

  List<GetFlagsRequest> requests() {
    return requests;
  }

  List<String> authorizations() {
    return authorizations;
  }

  /** Stops the server, dropping every connection and call at once. */
  void stop() throws InterruptedException {
    Server s = server;
    if (s != null) {
      s.shutdownNow();
      s.awaitTermination(10, TimeUnit.SECONDS);
      server = null;
    }
  }

  /** Starts again on the same port, retrying while the port is still being released. */
  void restart() throws Exception {
    stop();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        server = newServer(port).start();
        return;
      } catch (IOException e) {
        if (System.nanoTime() > giveUp) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private Server newServer(int onPort) {
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort))
        .withOption(ChannelOption.SO_REUSEADDR, true)
        .addService(ServerInterceptors.intercept(new Service(), new RecordAuthorization()))
        .addTransportFilter(new ServerTransportFilter() {
          @Override
          public Attributes transportReady(Attributes attributes) {
            openConnections.incrementAndGet();
            return attributes;
          }

          @Override
          public void transportTerminated(Attributes attributes) {
            openConnections.decrementAndGet();
          }
        });
    if (maxInboundMessageSize != null) {
      builder.maxInboundMessageSize(maxInboundMessageSize);
    }
    if (tls) {
      try (InputStream cert = resource("tls/server.pem"); InputStream key = resource("tls/server.key")) {
        builder.useTransportSecurity(cert, key);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return builder.build();
  }

  private static InputStream resource(String name) {
    InputStream in = FlagTestServer.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + name);
    }
    return in;
  }

  private void answerFromValues(GetFlagsRequest request, StreamObserver<GetFlagsResponse> reply) {
    GetFlagsResponse.Builder response = GetFlagsResponse.newBuilder();
    Map<String, FlagValue> overrides = perEntity.getOrDefault(request.getEntityId(), Map.of());
    for (String key : request.getFlagKeysList()) {
      FlagValue v = overrides.getOrDefault(key, values.get(key));
      FlagResult.Builder result = FlagResult.newBuilder().setFlagKey(key);
      if (v == null) {
        result.setNotFound(NotFound.getDefaultInstance());
      } else {
        result.setValue(ProtocolValues.toProto(v)).setReason(overrides.containsKey(key) ? "OVERRIDE" : "DEFAULT");
      }
      response.addResults(result);
    }
    reply.onNext(response.build());
    reply.onCompleted();
  }

  private final class Service extends FlagServiceGrpc.FlagServiceImplBase {
    @Override
    public void getFlags(GetFlagsRequest request, StreamObserver<GetFlagsResponse> responseObserver) {
      calls.incrementAndGet();
      requests.add(request);
      handler.handle(request, responseObserver);
    }

    @Override
    public void watchChanges(WatchChangesRequest request, StreamObserver<ChangeEvent> responseObserver) {
      watchRequests.add(request);
      WatchHandler h = watchHandler;
      if (h == null) {
        super.watchChanges(request, responseObserver);
      } else {
        h.handle(request, (ServerCallStreamObserver<ChangeEvent>) responseObserver);
      }
    }
  }

  private final class RecordAuthorization implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      String auth = headers.get(AUTHORIZATION);
      boolean watch = call.getMethodDescriptor().getBareMethodName().equals("WatchChanges");
      (watch ? watchAuthorizations : authorizations).add(auth == null ? "<none>" : auth);
      return next.startCall(call, headers);
    }
  }
}
