package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.status;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every reply class of the classification table, from a real HTTP server over a loopback socket. */
class RestFlagStoreRepliesTest {
  @StartStop
  final MockWebServer server = new MockWebServer();

  private RestFlagStore store;

  @BeforeEach
  void setUp() {
    store = storeFor(server).build();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void oneFlagIsOnePostToTheSingleFlagEndpointWithTheEntityAsTargetingKey() throws Exception {
    server.enqueue(json(200, "{\"key\":\"new-checkout\",\"value\":true,\"reason\":\"TARGETING_MATCH\",\"variant\":\"on\"}"));

    assertThat(answer(store.getFlags("tenant-42", flags("new-checkout")))).containsExactly(Map.entry("new-checkout", FlagValue.TRUE));

    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/ofrep/v1/evaluate/flags/new-checkout");
    assertThat(request.getBody().utf8()).isEqualTo("{\"context\":{\"targetingKey\":\"tenant-42\"}}");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "true                      | BOOLEAN | true",
      "false                     | BOOLEAN | false",
      "'\"blue\"'                | STRING  | '\"blue\"'",
      "42                        | LONG    | 42",
      "-9223372036854775808      | LONG    | -9223372036854775808",
      "0.25                      | DOUBLE  | 0.25",
      "1e2                       | DOUBLE  | 100.0",
      "'{\"a\":[1,2.5,null,{\"b\":\"c\"}]}' | JSON | '{\"a\":[1,2.5,null,{\"b\":\"c\"}]}'",
      "'[1,\"two\",false]'       | JSON    | '[1,\"two\",false]'",
  })
  void everyOfrepValueTypeIsRead(String value, String type, String expectedJson) {
    server.enqueue(json(200, "{\"key\":\"f\",\"reason\":\"STATIC\",\"value\":" + value + "}"));

    FlagValue read = answer(store.getFlags("e", flags("f"))).get("f");

    assertThat(read.type().name()).isEqualTo(type);
    assertThat(read).isEqualTo(FlagValue.fromJson(expectedJson));
  }

  @Test
  void replyWithoutValueLeavesTheFlagAbsentSoTheCallersDefaultApplies() {
    server.enqueue(json(200, "{\"key\":\"f\",\"reason\":\"DISABLED\",\"variant\":\"off\",\"metadata\":{\"team\":\"x\"}}"));

    assertThat(answer(store.getFlags("e", flags("f")))).isEmpty();
  }

  @Test
  void notFoundWithFlagNotFoundBodyIsAbsent() {
    server.enqueue(json(404, "{\"key\":\"f\",\"errorCode\":\"FLAG_NOT_FOUND\",\"errorDetails\":\"flag f not found\"}"));

    assertThat(answer(store.getFlags("e", flags("f")))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"INVALID_CONTEXT", "PARSE_ERROR", "TARGETING_KEY_MISSING", "GENERAL"})
  void badRequestIsAnInvalidRequestCarryingTheErrorCode(String code) {
    server.enqueue(json(400, "{\"key\":\"f\",\"errorCode\":\"" + code + "\",\"errorDetails\":\"because\"}"));

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
    assertThat(e.isTransient()).isFalse();
    assertThat(e).hasMessageContaining(code).hasMessageContaining("because").hasMessageContaining("'f'");
  }

  @Test
  void badRequestWithAProxysHtmlPageIsStillAnInvalidRequest() {
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(400).body("<html><body>400 Bad Request</body></html>").build());

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
    assertThat(e).hasMessageContaining("no error code");
  }

  @Test
  void notFoundWithoutAnOfrepBodyIsAConfigurationError() {
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(404).body("<html>Not Found</html>").build());

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    assertThat(e).hasMessageContaining("is baseUrl the OFREP server?");
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403, 405})
  void refusedCredentialsAreAConfigurationErrorLoggedOnceAtError(int code) {
    server.enqueue(status(code));
    server.enqueue(status(code));
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":1}"));
    server.enqueue(status(code));

    String logs = Ofrep.logsOf(() -> {
      StoreException first = failure(store.getFlags("e", flags("f")));
      assertThat(first.errorKind()).isEqualTo(FlagErrorKind.REJECTED);
      assertThat(first).hasMessageContaining("HTTP " + code);
      assertThat(failure(store.getFlags("e", flags("f"))).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
      answer(store.getFlags("e", flags("f")));
      assertThat(failure(store.getFlags("e", flags("f"))).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
    });

    // Once for the first two refusals, once more after the success re-armed the alarm.
    assertThat(logs.lines().filter(l -> l.contains("ERROR") && l.contains("HTTP " + code))).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504, 408, 302, 204})
  void serverErrorsAndUnexpectedStatusesAreTransient(int code) {
    // Twice: OkHttp itself retries a 408 once.
    server.enqueue(json(code, code == 204 ? "" : "{\"errorDetails\":\"down\"}"));
    server.enqueue(json(code, code == 204 ? "" : "{\"errorDetails\":\"down\"}"));

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e).hasMessageContaining("HTTP " + code);
  }

  @ParameterizedTest
  @ValueSource(ints = {413, 415, 422})
  void otherClientErrorsAreInvalidRequests(int code) {
    server.enqueue(status(code));

    assertThat(failure(store.getFlags("e", flags("f"))).errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"key\":\"f\",\"value\":tr",                                  // truncated
      "<html><head><title>502 Bad Gateway</title></head></html>",     // a proxy's page with a 200
      "",                                                              // empty body
      "[]",
      "{\"key\":\"f\",\"value\":null}",                               // a null is no flag value
      "{\"key\":5,\"value\":true}",                                   // wrong-typed key
      "{\"key\":\"f\",\"reason\":7,\"value\":true}",                  // wrong-typed reason
      "{\"key\":\"f\",\"metadata\":\"x\",\"value\":true}",            // wrong-typed metadata
      "{\"key\":\"other\",\"value\":true}",                           // another flag's answer
      "{\"key\":\"f\",\"value\":true,\"value\":false}",               // duplicate field
      "{\"key\":\"f\",\"value\":true} {\"x\":1}",                     // trailing data
      "{\"key\":\"f\",\"value\":123456789012345678901234567890}",     // beyond 64 bits
      "{\"key\":\"f\",\"value\":1e400}",                              // beyond double
  })
  void aBodyThatIsNotOfrepJsonIsTransient(String body) {
    server.enqueue(json(200, body));

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e).hasMessageContaining("malformed reply");
  }

  @Test
  void nestingDeeperThanTheLimitIsTransient() {
    String deep = "[".repeat(100) + "]".repeat(100);
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":" + deep + "}"));

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e).hasMessageContaining("malformed reply").hasMessageContaining("nesting");
  }

  @Test
  void bulkCallAnswersTheRequestedFlagsOnly() throws Exception {
    server.enqueue(json(200, "{\"flags\":["
        + "{\"key\":\"a\",\"value\":true,\"reason\":\"STATIC\"},"
        + "{\"key\":\"b\",\"value\":\"x\",\"reason\":\"SPLIT\",\"variant\":\"v\"},"
        + "{\"key\":\"c\",\"errorCode\":\"FLAG_NOT_FOUND\"},"
        + "{\"key\":\"d\",\"reason\":\"DISABLED\"},"
        + "{\"key\":\"unrequested\",\"value\":1},"
        + "{\"key\":\"broken-unrequested\",\"errorCode\":\"PARSE_ERROR\"}"
        + "],\"metadata\":{\"version\":\"v12\"},\"eventStreams\":[{\"type\":\"sse\",\"url\":\"https://x/y?t=1\"}]}"));

    Map<String, FlagValue> values = answer(store.getFlags("e", flags("a", "b", "c", "d", "missing")));

    assertThat(values).containsOnly(Map.entry("a", FlagValue.TRUE), Map.entry("b", FlagValue.of("x")));
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getUrl().encodedPath()).isEqualTo("/ofrep/v1/evaluate/flags");
    assertThat(request.getHeaders().get("If-None-Match")).isNull();
    assertThat(request.getBody().utf8()).isEqualTo("{\"context\":{\"targetingKey\":\"e\"}}");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({"TYPE_MISMATCH, INVALID_REQUEST", "PARSE_ERROR, INVALID_REQUEST", "INVALID_CONTEXT, INVALID_REQUEST",
      "GENERAL, INVALID_REQUEST", "SOMETHING_NEW, INVALID_REQUEST", "PROVIDER_NOT_READY, UNAVAILABLE",
      "PROVIDER_FATAL, UNAVAILABLE"})
  void aPerFlagErrorInABulkReplyFailsTheBatchByItsCode(String code, FlagErrorKind kind) {
    server.enqueue(json(200, "{\"flags\":[{\"key\":\"a\",\"value\":true},"
        + "{\"key\":\"z\",\"errorCode\":\"" + code + "\"},{\"key\":\"m\",\"errorCode\":\"" + code + "\"}]}"));

    StoreException e = failure(store.getFlags("e", flags("a", "z", "m")));

    assertThat(e.errorKind()).isEqualTo(kind);
    assertThat(e).hasMessageContaining(code).hasMessageContaining("flag 'm'");
  }

  @Test
  void anEmptyErrorCodeIsNoError() {
    server.enqueue(json(200, "{\"flags\":[{\"key\":\"a\",\"value\":true,\"errorCode\":\"\"},{\"key\":\"b\",\"value\":2}]}"));

    assertThat(answer(store.getFlags("e", flags("a", "b")))).containsOnly(
        Map.entry("a", FlagValue.TRUE), Map.entry("b", FlagValue.of(2L)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"metadata\":{}}",                                   // no flags
      "{\"flags\":{}}",                                      // flags not an array
      "{\"flags\":[1]}",                                     // an item not an object
      "{\"flags\":[{\"value\":true}]}",                      // an item without key
      "{\"flags\":[{\"key\":\"a\",\"value\":true},{\"key\":\"a\",\"value\":false}]}", // a requested flag twice
      "{\"flags\":[{\"key\":\"a\",\"value\":true}",          // truncated
  })
  void aMalformedBulkReplyIsTransient(String body) {
    server.enqueue(json(200, body));

    StoreException e = failure(store.getFlags("e", flags("a", "b")));

    assertThat(e.isTransient()).isTrue();
    assertThat(e).hasMessageContaining("malformed reply");
  }

  @ParameterizedTest
  @CsvSource({"304, UNAVAILABLE", "400, INVALID_REQUEST", "404, REJECTED", "503, UNAVAILABLE"})
  void bulkStatusesAreClassifiedToo(int code, FlagErrorKind kind) {
    server.enqueue(json(code, code == 400 ? "{\"errorCode\":\"INVALID_CONTEXT\"}" : ""));

    StoreException e = failure(store.getFlags("e", flags("a", "b")));

    assertThat(e.errorKind()).isEqualTo(kind);
    if (code == 400) {
      assertThat(e).hasMessageContaining("INVALID_CONTEXT");
    }
  }

  @Test
  void aBulkOfAThousandFlagsIsOneCall() {
    StringBuilder body = new StringBuilder("{\"flags\":[");
    java.util.Set<String> wanted = new java.util.LinkedHashSet<>();
    for (int i = 0; i < 1200; i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append("{\"key\":\"flag-").append(i).append("\",\"reason\":\"STATIC\",\"value\":").append(i).append('}');
      if (i < 1000) {
        wanted.add("flag-" + i);
      }
    }
    server.enqueue(json(200, body.append("]}").toString()));

    Map<String, FlagValue> values = answer(store.getFlags("e", wanted));

    assertThat(values).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(values.get("flag-" + i)).isEqualTo(FlagValue.of((long) i));
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void errorDetailsFromTheServerAreShortenedToOneLine() {
    String details = "line1\nline2 " + "x".repeat(1000);
    server.enqueue(json(400, "{\"key\":\"f\",\"errorCode\":\"GENERAL\",\"errorDetails\":\"" + details.replace("\n", "\\n") + "\"}"));

    StoreException e = failure(store.getFlags("e", flags("f")));

    assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(400).contains("line1 line2");
    assertThat(List.of(e.getStackTrace())).isNotEmpty();
  }
}
