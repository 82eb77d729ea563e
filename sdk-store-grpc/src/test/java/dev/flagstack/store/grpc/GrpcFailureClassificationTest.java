package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.FlagValue;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import dev.flagstack.store.grpc.v1.NotFound;
import io.grpc.Status;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every status code a server can end a call with, and every way a reply can break the protocol. */
class GrpcFailureClassificationTest {
  private static FlagTestServer server;
  private static GrpcFlagStore store;

  @BeforeAll
  static void start() throws Exception {
    server = FlagTestServer.start();
    store = GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(GrpcFlagStoreTest.SLOW_MACHINE)
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    server.close();
  }

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of(Status.Code.UNAVAILABLE, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.DEADLINE_EXCEEDED, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.RESOURCE_EXHAUSTED, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.ABORTED, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.INTERNAL, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.UNKNOWN, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.CANCELLED, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.DATA_LOSS, FlagErrorKind.UNAVAILABLE),
        Arguments.of(Status.Code.INVALID_ARGUMENT, FlagErrorKind.INVALID_REQUEST),
        Arguments.of(Status.Code.NOT_FOUND, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.PERMISSION_DENIED, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.UNAUTHENTICATED, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.FAILED_PRECONDITION, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.UNIMPLEMENTED, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.OUT_OF_RANGE, FlagErrorKind.REJECTED),
        Arguments.of(Status.Code.ALREADY_EXISTS, FlagErrorKind.REJECTED));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @MethodSource("statuses")
  void eachStatusCodeIsClassified(Status.Code code, FlagErrorKind expected) throws Exception {
    server.handler((request, reply) -> reply.onError(
        Status.fromCode(code).withDescription("the server says " + code).asRuntimeException()));

    StoreException e = failure(store.getFlags("tenant-42", Set.of("f")));

    assertThat(e.errorKind()).isEqualTo(expected);
    assertThat(e.isTransient()).isEqualTo(expected == FlagErrorKind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("grpc store 'grpc'").contains(code.name()).contains("the server says " + code);
  }

  static Stream<Arguments> malformedReplies() {
    FlagValue bool = FlagValue.newBuilder().setBoolValue(true).build();
    return Stream.of(
        malformed("a value with no kind", "has an invalid value: the value has no kind set",
            r -> r.addResults(result("a").setValue(FlagValue.getDefaultInstance())).addResults(result("b").setValue(bool))),
        malformed("a result with no outcome", "has neither a value nor not_found",
            r -> r.addResults(result("a")).addResults(result("b").setValue(bool))),
        malformed("a flag that was not requested", "'c', which was not requested",
            r -> r.addResults(result("a").setValue(bool)).addResults(result("b").setValue(bool))
                .addResults(result("c").setValue(bool))),
        malformed("a flag twice", "flag 'a' has more than one result",
            r -> r.addResults(result("a").setValue(bool)).addResults(result("a").setValue(bool))
                .addResults(result("b").setValue(bool))),
        malformed("a requested flag left out", "have no result",
            r -> r.addResults(result("a").setValue(bool))),
        malformed("JSON text of a scalar", "json_value must be an object or an array",
            r -> r.addResults(result("a").setValue(FlagValue.newBuilder().setJsonValue("42")))
                .addResults(result("b").setNotFound(NotFound.getDefaultInstance()))),
        malformed("JSON text that does not parse", "json_value is not valid JSON",
            r -> r.addResults(result("a").setValue(FlagValue.newBuilder().setJsonValue("{\"open\":")))
                .addResults(result("b").setNotFound(NotFound.getDefaultInstance()))),
        malformed("a double that is not finite", "double_value must be finite",
            r -> r.addResults(result("a").setValue(FlagValue.newBuilder().setDoubleValue(Double.NaN)))
                .addResults(result("b").setNotFound(NotFound.getDefaultInstance()))),
        malformed("a key that differs in case", "'A', which was not requested",
            r -> r.addResults(result("A").setValue(bool)).addResults(result("b").setValue(bool))));
  }

  private static Arguments malformed(String what, String message, UnaryOperator<GetFlagsResponse.Builder> reply) {
    return Arguments.of(what, message, reply.apply(GetFlagsResponse.newBuilder()).build());
  }

  private static FlagResult.Builder result(String key) {
    return FlagResult.newBuilder().setFlagKey(key);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedReplies")
  void aMalformedReplyFailsTheWholeBatchTransiently(String what, String message, GetFlagsResponse reply)
      throws Exception {
    server.handler((request, out) -> {
      out.onNext(reply);
      out.onCompleted();
    });

    StoreException e = failure(store.getFlags("tenant-42", Set.of("a", "b")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e.getMessage()).contains("malformed reply").contains(message);
  }

  @ParameterizedTest(name = "then {0}")
  @MethodSource("statuses")
  void aReplyFollowedByAnErrorStatusIsThatError(Status.Code code, FlagErrorKind expected) throws Exception {
    server.handler((request, out) -> {
      out.onNext(GetFlagsResponse.newBuilder().addResults(result("a").setValue(FlagValue.newBuilder().setBoolValue(true)))
          .build());
      out.onError(Status.fromCode(code).asRuntimeException());
    });

    StoreException e = failure(store.getFlags("tenant-42", Set.of("a")));

    assertThat(e.errorKind()).isEqualTo(expected);
  }

  @Test
  void aCallThatEndsOkWithoutAReplyIsTransient() throws Exception {
    server.handler((request, out) -> out.onCompleted());

    StoreException e = failure(store.getFlags("tenant-42", Set.of("a")));

    assertThat(e.isTransient()).isTrue();
  }
}
