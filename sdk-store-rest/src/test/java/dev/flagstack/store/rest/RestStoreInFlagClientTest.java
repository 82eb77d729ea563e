package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.status;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagNotFoundException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.InvalidFlagRequestException;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store as the seed uses it: the primary of a real {@link FlagClient}, with an in-memory secondary. */
class RestStoreInFlagClientTest {
  @StartStop
  final MockWebServer server = new MockWebServer();

  private final MutableClock clock = new MutableClock();
  private RestFlagStore primary;
  private InMemoryFlagStore secondary;
  private FlagClient client;

  @BeforeEach
  void setUp() {
    primary = storeFor(server).clock(clock).build();
    secondary = new InMemoryFlagStore("backup").put("f", FlagValue.of("from-secondary"))
        .put("g", FlagValue.of("g-from-secondary"));
    // These tests script the server's replies to reads: no change polling may take one of them.
    client = FlagClient.builder().primary(primary).secondary(secondary).clock(clock).lastKnownGood(false)
        .watchChanges(false).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    primary.close();
    secondary.close();
  }

  @Test
  void unknownFlagNeverTripsTheBreakerAndNeverFallsBack() {
    for (int i = 0; i < 8; i++) {
      server.enqueue(json(404, "{\"key\":\"f\",\"errorCode\":\"FLAG_NOT_FOUND\",\"errorDetails\":\"no such flag\"}"));
    }
    for (int i = 0; i < 8; i++) {
      String entity = "e" + i;
      assertThatThrownBy(() -> client.getFlag(entity, "f")).isInstanceOf(FlagNotFoundException.class);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(secondary.calls()).isZero();
    assertThat(server.getRequestCount()).isEqualTo(8);
  }

  @Test
  void badRequestNeverTripsTheBreakerAndNeverFallsBack() {
    for (int i = 0; i < 8; i++) {
      server.enqueue(json(400, "{\"key\":\"f\",\"errorCode\":\"TARGETING_KEY_MISSING\"}"));
    }
    for (int i = 0; i < 8; i++) {
      String entity = "e" + i;
      assertThatThrownBy(() -> client.getFlag(entity, "f"))
          .isInstanceOf(InvalidFlagRequestException.class)
          .hasMessageContaining("TARGETING_KEY_MISSING");
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(secondary.calls()).isZero();
    assertThat(server.getRequestCount()).isEqualTo(8);
  }

  @Test
  void refusedCredentialsReachTheCallerAndNeverTripTheBreaker() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(status(401));
    }
    for (int i = 0; i < 6; i++) {
      FlagDetail detail = client.getFlagDetail("e" + i, "f", FlagValue.of("default"));
      assertThat(detail.isDefault()).isTrue();
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(secondary.calls()).isZero();
  }

  @Test
  void aStormOfUnavailableRepliesTripsTheBreakerAfterFourAndTheSecondaryAnswers() {
    for (int i = 0; i < 50; i++) {
      server.enqueue(json(503, "<html>Service Unavailable</html>"));
    }
    for (int i = 0; i < 20; i++) {
      FlagDetail detail = client.getFlagDetail("e" + i, "f", FlagValue.of("default"));
      assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
      assertThat(detail.value()).isEqualTo(FlagValue.of("from-secondary"));
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(server.getRequestCount()).isEqualTo(4);

    // After the open period one probe reaches the server; it fails, so the breaker opens again.
    clock.advance(Duration.ofSeconds(15).plusMillis(1));
    assertThat(client.getFlagDetail("probe", "f", FlagValue.of("default")).source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(server.getRequestCount()).isEqualTo(5);
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aMalformedReplyCountsAsTransientAndFallsBack() {
    server.enqueue(json(200, "<html>proxy login page</html>"));

    FlagDetail detail = client.getFlagDetail("e", "f", FlagValue.of("default"));

    assertThat(detail.source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(secondary.calls()).isEqualTo(1);
  }

  @Test
  void aReplyWithoutValueGivesTheCallersDefaultAndIsNotRemembered() {
    server.enqueue(json(200, "{\"key\":\"f\",\"reason\":\"DISABLED\",\"variant\":\"off\"}"));
    server.enqueue(json(200, "{\"key\":\"f\",\"reason\":\"TARGETING_MATCH\",\"value\":\"on\"}"));

    assertThat(client.getString("e", "f", "code-default")).isEqualTo("code-default");
    FlagDetail next = client.getFlagDetail("e", "f", FlagValue.of("code-default"));

    assertThat(next.value()).isEqualTo(FlagValue.of("on"));
    assertThat(next.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(secondary.calls()).isZero();
  }

  @Test
  void aValueOfAnotherTypeGivesTheDefaultWithoutTrippingTheBreaker() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(json(200, "{\"key\":\"f\",\"reason\":\"STATIC\",\"value\":\"not-a-boolean\"}"));
    }
    for (int i = 0; i < 6; i++) {
      assertThat(client.getBoolean("e" + i, "f", true)).isTrue();
    }
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(secondary.calls()).isZero();
  }

  @Test
  void aRateLimitedPrimaryIsSkippedUntilRetryAfterAndTheSecondaryAnswers() {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "5").build());
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":\"from-primary\"}"));

    assertThat(client.getFlagDetail("e1", "f", FlagValue.of("d")).source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(client.getFlagDetail("e2", "f", FlagValue.of("d")).source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(server.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(5));
    FlagDetail detail = client.getFlagDetail("e3", "f", FlagValue.of("d"));
    assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(detail.value()).isEqualTo(FlagValue.of("from-primary"));
  }

  @Test
  void aBatchThroughTheClientIsOneBulkCall() {
    server.enqueue(json(200, "{\"flags\":[{\"key\":\"f\",\"value\":\"F\"},{\"key\":\"g\",\"value\":\"G\"},"
        + "{\"key\":\"h\",\"value\":\"H\"}]}"));

    Map<String, FlagValue> values = client.getFlags("e", List.of("f", "g"));

    assertThat(values).containsOnly(Map.entry("f", FlagValue.of("F")), Map.entry("g", FlagValue.of("G")));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
