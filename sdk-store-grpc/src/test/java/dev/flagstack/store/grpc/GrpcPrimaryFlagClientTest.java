package dev.flagstack.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.BreakerSettings;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import io.grpc.Status;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store in its seed role: the primary of a real {@link FlagClient}, behind its breaker. */
class GrpcPrimaryFlagClientTest {
  /** Short enough to keep the test quick (one read waits it out while the server is down), long enough for a busy machine. */
  private static final Duration PRIMARY_TIMEOUT = Duration.ofSeconds(2);

  private FlagTestServer server;
  private GrpcFlagStore primary;
  private InMemoryFlagStore secondary;
  private MutableClock clock;
  private FlagClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = FlagTestServer.start();
    server.put("new-checkout", FlagValue.TRUE);
    primary = GrpcFlagStore.builder().target(server.target()).plaintext().callTimeout(PRIMARY_TIMEOUT).build();
    // Connected before the test, so that a cold JVM's first connection does not count against the timeout.
    GrpcTestSupport.eventually(GrpcFlagStoreTest.SLOW_MACHINE, () -> {
      try {
        return !primary.getFlags("warm-up", Set.of("new-checkout")).toCompletableFuture().get().isEmpty();
      } catch (Exception e) {
        return false;
      }
    });
    secondary = new InMemoryFlagStore("mongo").put("new-checkout", FlagValue.FALSE);
    clock = new MutableClock();
    client = FlagClient.builder().primary(primary).secondary(secondary).lastKnownGood(false).clock(clock).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    primary.close();
    secondary.close();
    server.close();
  }

  private FlagDetail read() {
    return client.getFlagDetail("tenant-42", "new-checkout", FlagValue.of("default"));
  }

  @Test
  void fourUnavailableCallsTripTheBreakerAndTheSecondaryAnswers() {
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    server.handler((request, reply) -> reply.onError(Status.UNAVAILABLE.withDescription("overloaded").asRuntimeException()));
    int before = server.calls();

    for (int i = 0; i < 10; i++) {
      FlagDetail detail = read();
      assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
      assertThat(detail.value()).isEqualTo(FlagValue.FALSE);
    }

    assertThat(server.calls() - before).as("calls that reached the server").isEqualTo(4);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aBadRequestReachesTheCallerAndNeverTripsTheBreaker() {
    server.handler((request, reply) -> reply.onError(Status.INVALID_ARGUMENT
        .withDescription("entity_id is not a tenant").asRuntimeException()));
    int before = server.calls();

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> client.getFlag("tenant-42", "new-checkout"))
          .isInstanceOfSatisfying(FlagException.class,
              e -> assertThat(e.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST))
          .hasMessageContaining("entity_id is not a tenant");
    }

    assertThat(server.calls() - before).isEqualTo(10);
    assertThat(secondary.calls()).isZero();
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aStoppedServerFailsOverAndARestartedOneGetsReadsBackAfterTheOpenPeriod() throws Exception {
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);

    server.stop();
    for (int i = 0; i < 4; i++) {
      FlagDetail detail = read();
      assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
      assertThat(detail.value()).isEqualTo(FlagValue.FALSE);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);

    server.restart();
    int callsAtRestart = server.calls();
    assertThat(read().source()).as("still open: the primary is not tried").isEqualTo(FlagSource.SECONDARY);
    assertThat(server.calls()).isEqualTo(callsAtRestart);

    clock.advance(BreakerSettings.DEFAULT_OPEN_DURATION.plus(Duration.ofMillis(1)));
    FlagDetail probe = read();

    assertThat(probe.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(probe.value()).isEqualTo(FlagValue.TRUE);
    assertThat(server.calls()).as("one probe").isEqualTo(callsAtRestart + 1);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    for (int i = 0; i < 5; i++) {
      assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    }
    assertThat(server.calls()).isEqualTo(callsAtRestart + 6);
  }
}
