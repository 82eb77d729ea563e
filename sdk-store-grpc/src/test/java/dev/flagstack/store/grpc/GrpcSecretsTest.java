package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.await;
import static dev.flagstack.store.grpc.GrpcTestSupport.captureStderr;
import static dev.flagstack.store.grpc.GrpcTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bearer token: sent on every call, shown nowhere. */
class GrpcSecretsTest {
  private static final String TOKEN = "s3cr3t-T0ken.value_~+/=";

  private FlagTestServer server;

  @BeforeEach
  void start() throws Exception {
    server = FlagTestServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private GrpcFlagStore.Builder builder() {
    return GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(GrpcFlagStoreTest.SLOW_MACHINE);
  }

  @Test
  void theTokenIsSentAsBearerMetadataOnEveryCall() throws Exception {
    server.put("f", FlagValue.TRUE);
    try (GrpcFlagStore store = builder().bearerToken(TOKEN).build()) {
      await(store.getFlags("e", Set.of("f")));
      await(store.getFlags("e", Set.of("f")));
    }

    assertThat(server.authorizations()).containsExactly("Bearer " + TOKEN, "Bearer " + TOKEN);
  }

  @Test
  void withoutATokenNoAuthorizationIsSent() throws Exception {
    server.put("f", FlagValue.TRUE);
    try (GrpcFlagStore store = builder().build()) {
      await(store.getFlags("e", Set.of("f")));
    }

    assertThat(server.authorizations()).containsExactly("<none>");
  }

  @Test
  void theTokenNeverAppearsInToStringExceptionsOrLogs() throws Exception {
    List<String> strings = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    String logs = captureStderr(() -> {
      GrpcFlagStore.Builder b = builder().bearerToken(TOKEN);
      strings.add(b.toString());
      try (GrpcFlagStore store = b.build()) {
        strings.add(store.toString());
        // A careless server echoes the token in its error description.
        server.handler((request, reply) -> reply.onError(Status.UNAUTHENTICATED
            .withDescription("token " + TOKEN + " has expired").asRuntimeException()));
        for (int i = 0; i < 3; i++) {
          errors.add(failure(store.getFlags("e", Set.of("f"))));
        }
        server.handler((request, reply) -> reply.onError(Status.INTERNAL
            .withDescription("crashed handling Bearer " + TOKEN).asRuntimeException()));
        errors.add(failure(store.getFlags("e", Set.of("f"))));
      }
      try {
        GrpcFlagStore.builder().bearerToken(TOKEN + "\n");
      } catch (IllegalArgumentException e) {
        errors.add(e);
      }
      try {
        GrpcFlagStore.builder().bearerToken(TOKEN).bearerToken(TOKEN);
      } catch (IllegalStateException e) {
        errors.add(e);
      }
    });

    assertThat(errors).hasSize(6);
    assertThat(((StoreException) errors.get(0)).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    assertThat(errors.get(0).getMessage()).contains("has expired");
    for (Throwable e : errors) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(t.toString()).doesNotContain(TOKEN);
      }
    }
    assertThat(strings).hasSize(2).allSatisfy(s -> assertThat(s).doesNotContain(TOKEN).contains("bearerToken=set"));
    assertThat(logs).doesNotContain(TOKEN);
    assertThat(logs.lines().filter(l -> l.contains("ERROR") && l.contains("is refused by the server")))
        .as("an authentication failure is logged at ERROR once, not per call").hasSize(1);
  }

  @Test
  void anAuthenticationFailureAfterASuccessIsANewIncidentLoggedAgain() throws Exception {
    server.put("f", FlagValue.TRUE);
    String logs = captureStderr(() -> {
      try (GrpcFlagStore store = builder().bearerToken(TOKEN).build()) {
        for (int round = 0; round < 2; round++) {
          server.handler((request, reply) -> reply.onError(Status.PERMISSION_DENIED.asRuntimeException()));
          failure(store.getFlags("e", Set.of("f")));
          failure(store.getFlags("e", Set.of("f")));
          server.answerFromValues();
          await(store.getFlags("e", Set.of("f")));
        }
      }
    });

    assertThat(logs.lines().filter(l -> l.contains("ERROR") && l.contains("is refused by the server"))).hasSize(2);
  }

  @Test
  void aBadTokenIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> GrpcFlagStore.builder().bearerToken("abc def-" + TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 3")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    assertThatThrownBy(() -> GrpcFlagStore.builder().bearerToken(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bearerToken must not be empty");
    assertThatThrownBy(() -> GrpcFlagStore.builder().bearerToken("tökén"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visible ASCII");
  }
}
