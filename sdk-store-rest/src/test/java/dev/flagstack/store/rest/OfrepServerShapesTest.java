package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reply shapes flagd and the GO Feature Flag relay proxy send (taken from the OFREP specification and
 * their documented answers; fixtures under {@code src/test/resources/ofrep}) parse to the right answer.
 */
class OfrepServerShapesTest {
  @StartStop
  final MockWebServer server = new MockWebServer();

  private static String fixture(String name) {
    try (InputStream in = OfrepServerShapesTest.class.getResourceAsStream("/ofrep/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "flagd-boolean-static.json            | myBoolFlag     | true",
      "flagd-string-targeting-match.json    | headerColor    | '\"#FF0000\"'",
      "flagd-integer-default.json           | maxItems       | 10",
      "flagd-double-split.json              | discountRate   | 0.15",
      "flagd-object-static.json             | checkoutConfig | '{\"retries\":3,\"endpoints\":[\"eu\",\"us\"],\"ratio\":0.75,\"enabled\":true,\"note\":null}'",
      "goff-targeting-match.json            | new-ui         | true",
      "goff-cached.json                     | beta-access    | '\"granted\"'",
      "goff-error-reason-with-value.json    | timeout-ms     | 250",
      "goff-array-split.json                | rollout        | '[\"eu-west-1\",\"us-east-1\"]'",
      "spec-unknown-reason.json             | experimental   | false",
  })
  void successShapesGiveTheirValue(String fixture, String flag, String expectedJson) {
    server.enqueue(json(200, fixture(fixture)));
    try (RestFlagStore store = storeFor(server).build()) {
      assertThat(answer(store.getFlags("user-123", flags(flag))))
          .containsExactly(Map.entry(flag, FlagValue.fromJson(expectedJson)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "200 | flagd-disabled-no-value.json       | legacyBanner",
      "200 | flagd-code-default-no-value.json   | fallbackFlag",
      "404 | flagd-404-flag-not-found.json      | missing-flag",
  })
  void shapesWithoutAValueLeaveTheFlagAbsent(int status, String fixture, String flag) {
    server.enqueue(json(status, fixture(fixture)));
    try (RestFlagStore store = storeFor(server).build()) {
      assertThat(answer(store.getFlags("user-123", flags(flag)))).isEmpty();
    }
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "400 | flagd-400-parse-error.json            | badFlag | INVALID_REQUEST | PARSE_ERROR",
      "400 | goff-400-targeting-key-missing.json   | new-ui  | INVALID_REQUEST | TARGETING_KEY_MISSING",
      "500 | spec-500-general.json                 | any     | UNAVAILABLE     | HTTP 500",
  })
  void errorShapesAreClassified(int status, String fixture, String flag, FlagErrorKind kind, String mentioned) {
    server.enqueue(json(status, fixture(fixture)));
    try (RestFlagStore store = storeFor(server).build()) {
      StoreException e = failure(store.getFlags("user-123", flags(flag)));
      assertThat(e.errorKind()).isEqualTo(kind);
      assertThat(e).hasMessageContaining(mentioned);
    }
  }

  @Test
  void aGoFeatureFlagBulkReplyGivesEachRequestedFlagItsAnswer() {
    server.enqueue(json(200, fixture("goff-bulk.json")));
    try (RestFlagStore store = storeFor(server).build()) {
      Map<String, FlagValue> values = answer(store.getFlags("user-123",
          flags("new-ui", "theme", "limit", "ratio", "legacy", "ghost", "never-mentioned")));

      assertThat(values).containsOnly(
          Map.entry("new-ui", FlagValue.TRUE),
          Map.entry("theme", FlagValue.of("dark")),
          Map.entry("limit", FlagValue.of(100L)),
          Map.entry("ratio", FlagValue.of(0.5)));
    }
  }
}
