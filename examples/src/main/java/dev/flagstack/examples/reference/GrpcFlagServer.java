package dev.flagstack.examples.reference;

import dev.flagstack.FlagDefinition;
import dev.flagstack.store.grpc.ProtocolValues;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.GetFlagsRequest;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import dev.flagstack.store.grpc.v1.NotFound;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.Context;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Serves {@code flagstack.v1} over gRPC on Netty: GetFlags from the in-memory definitions, and WatchChanges. */
final class GrpcFlagServer extends FlagServiceGrpc.FlagServiceImplBase {
  /** The most keys one GetFlags call may ask for. */
  static final int MAX_KEYS = 10_000;

  private final ServiceControls controls;
  private final DefinitionRepository repository;
  private final ChangeHub changes;
  private Server server;

  GrpcFlagServer(ServiceControls controls, DefinitionRepository repository, ChangeHub changes) {
    this.controls = controls;
    this.repository = repository;
    this.changes = changes;
  }

  synchronized int start(String host, int port) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(this).build().start();
    return server.getPort();
  }

  synchronized void stop() {
    if (server != null) {
      changes.closeAll();
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  @Override
  public void getFlags(GetFlagsRequest request, StreamObserver<GetFlagsResponse> reply) {
    try {
      controls.beforeReply();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.onError(Status.CANCELLED.asRuntimeException());
      return;
    }
    if (Context.current().isCancelled()) {
      return;
    }
    String problem = check(request);
    if (problem != null) {
      reply.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
      return;
    }
    DefinitionSnapshot snapshot = repository.snapshot();
    GetFlagsResponse.Builder response = GetFlagsResponse.newBuilder();
    for (String key : request.getFlagKeysList()) {
      String broken = snapshot.broken().get(key);
      if (broken != null) {
        reply.onError(Status.FAILED_PRECONDITION
            .withDescription("the stored definition of a requested flag is invalid: " + broken).asRuntimeException());
        return;
      }
      FlagDefinition definition = snapshot.definitions().get(key);
      FlagResult.Builder result = FlagResult.newBuilder().setFlagKey(key);
      if (definition == null) {
        result.setNotFound(NotFound.getDefaultInstance());
      } else {
        Evaluation evaluation = Evaluation.of(definition, request.getEntityId());
        result.setValue(ProtocolValues.toProto(evaluation.value()))
            .setVariant(evaluation.variant()).setReason(evaluation.reason());
      }
      response.addResults(result);
    }
    reply.onNext(response.build());
    reply.onCompleted();
  }

  @Override
  public void watchChanges(WatchChangesRequest request, StreamObserver<ChangeEvent> events) {
    changes.watch(request, (ServerCallStreamObserver<ChangeEvent>) events);
  }

  private static String check(GetFlagsRequest request) {
    if (request.getEntityId().isEmpty()) {
      return "entity_id is required";
    }
    if (request.getFlagKeysCount() == 0) {
      return "flag_keys must not be empty";
    }
    if (request.getFlagKeysCount() > MAX_KEYS) {
      return "at most " + MAX_KEYS + " flag_keys per call";
    }
    Set<String> seen = new HashSet<>();
    for (String key : request.getFlagKeysList()) {
      if (key.isEmpty()) {
        return "a flag key is empty";
      }
      if (!seen.add(key)) {
        return "a flag key is repeated";
      }
    }
    return null;
  }
}
