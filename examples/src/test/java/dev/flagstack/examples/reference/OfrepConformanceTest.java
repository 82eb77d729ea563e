package dev.flagstack.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.flagstack.FlagDefinition;
import dev.flagstack.testservers.MongoServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of reply the reference service sends over OFREP, checked against the shapes of the OFREP
 * 0.3.0 specification: success, not found, bad request, bulk with ETag and 304, and authentication.
 */
class OfrepConformanceTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static final String ODD_KEY = "odd/key %?#é 😀";
  private static ReferenceFlagService service;
  private static MongoClient admin;
  private static MongoCollection<Document> flags;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startService() throws IOException {
    admin = MongoClients.create(mongo.connectionString());
    flags = admin.getDatabase("flagstack").getCollection("flags");
    service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
        .refreshInterval(Duration.ofHours(1)).build().start();
  }

  @AfterAll
  static void stopService() {
    service.close();
    admin.close();
  }

  @BeforeEach
  void seed() {
    flags.deleteMany(new Document());
    flags.insertMany(List.of(
        new Document("_id", "checkout").append("value", false)
            .append("overrides", List.of(new Document("entity", "tenant-42").append("value", true))),
        new Document("_id", "banner").append("value", "blue"),
        new Document("_id", "limits").append("type", "json").append("value", new Document("max", 5)),
        new Document("_id", ODD_KEY).append("value", 7L),
        new Document("_id", "ratio").append("value", 0.25)
            .append("rollout", new Document("percentage", 100).append("value", 0.75)),
        new Document("_id", "half").append("value", false)
            .append("rollout", new Document("percentage", 50).append("value", true)),
        new Document("_id", "broken").append("type", "boolean").append("value", "not a boolean")));
    assertThat(service.refreshNow()).isTrue();
  }

  @Test
  void anOverrideAnswersWithTargetingMatchAndTheSpecificationsFields() throws Exception {
    HttpResponse<String> r = post("/ofrep/v1/evaluate/flags/checkout", context("tenant-42"), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    Map<String, Object> body = object(r.body());
    assertThat(body).containsEntry("key", "checkout").containsEntry("value", true)
        .containsEntry("reason", "TARGETING_MATCH").containsKey("variant").containsKey("metadata");
    assertThat(object(post("/ofrep/v1/evaluate/flags/checkout", context("tenant-7"), Map.of()).body()))
        .containsEntry("value", false).containsEntry("reason", "DEFAULT");
  }

  @Test
  void everyValueTypeComesBackAsItsJsonType() throws Exception {
    assertThat(object(post("/ofrep/v1/evaluate/flags/banner", context("e"), Map.of()).body()))
        .containsEntry("value", "blue").containsEntry("reason", "STATIC");
    assertThat(object(post("/ofrep/v1/evaluate/flags/limits", context("e"), Map.of()).body()).get("value"))
        .isEqualTo(Map.of("max", 5L));
    assertThat(object(post("/ofrep/v1/evaluate/flags/ratio", context("e"), Map.of()).body()))
        .containsEntry("value", 0.75).containsEntry("reason", "SPLIT");
  }

  @Test
  void aKeyWithSlashesPercentAndUnicodeIsDataInThePath() throws Exception {
    String path = "/ofrep/v1/evaluate/flags/" + URLEncoder.encode(ODD_KEY, StandardCharsets.UTF_8).replace("+", "%20");
    HttpResponse<String> r = post(path, context("e"), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(object(r.body())).containsEntry("key", ODD_KEY).containsEntry("value", 7L);
  }

  @Test
  void anUnknownFlagIs404WithFlagNotFound() throws Exception {
    HttpResponse<String> r = post("/ofrep/v1/evaluate/flags/nope", context("e"), Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(object(r.body())).containsEntry("key", "nope").containsEntry("errorCode", "FLAG_NOT_FOUND")
        .containsKey("errorDetails");
  }

  @Test
  void badRequestsAre400WithTheSpecificationsErrorCodes() throws Exception {
    assertError(post("/ofrep/v1/evaluate/flags/checkout", "{\"context\":{}}", Map.of()), "TARGETING_KEY_MISSING");
    assertError(post("/ofrep/v1/evaluate/flags/checkout", "{\"context\":\"x\"}", Map.of()), "INVALID_CONTEXT");
    assertError(post("/ofrep/v1/evaluate/flags/checkout", "{\"context\":{\"targetingKey\":", Map.of()), "PARSE_ERROR");
    assertError(post("/ofrep/v1/evaluate/flags/checkout", "{\"a\":1,\"a\":2}", Map.of()), "PARSE_ERROR");
    assertError(post("/ofrep/v1/evaluate/flags", "[]", Map.of()), "PARSE_ERROR");
    assertError(post("/ofrep/v1/evaluate/flags/broken", context("e"), Map.of()), "PARSE_ERROR");
  }

  @Test
  void bulkAnswersEveryFlagWithAnETagAnd304WhenNothingChanged() throws Exception {
    HttpResponse<String> r = post("/ofrep/v1/evaluate/flags", context("tenant-42"), Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    String etag = r.headers().firstValue("ETag").orElseThrow();
    Map<String, Object> body = object(r.body());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> items = (List<Map<String, Object>>) body.get("flags");
    Map<String, Map<String, Object>> byKey = new LinkedHashMap<>();
    items.forEach(item -> byKey.put((String) item.get("key"), item));
    assertThat(byKey).containsOnlyKeys("checkout", "banner", "limits", ODD_KEY, "ratio", "half", "broken");
    assertThat(byKey.get("checkout")).containsEntry("value", true).containsEntry("reason", "TARGETING_MATCH");
    assertThat(byKey.get("broken")).containsEntry("errorCode", "PARSE_ERROR").doesNotContainKey("value");

    HttpResponse<String> same = post("/ofrep/v1/evaluate/flags", context("tenant-42"), Map.of("If-None-Match", etag));
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    // The ETag is per context: another entity's answers differ, so the same tag must not match.
    assertThat(post("/ofrep/v1/evaluate/flags", context("tenant-7"), Map.of("If-None-Match", etag)).statusCode())
        .isEqualTo(200);

    flags.updateOne(new Document("_id", "banner"), new Document("$set", new Document("value", "red")));
    assertThat(service.refreshNow()).isTrue();
    HttpResponse<String> changed = post("/ofrep/v1/evaluate/flags", context("tenant-42"), Map.of("If-None-Match", etag));
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
  }

  @Test
  void theServiceKeepsItsLastGoodCopyWhileMongoIsDown() throws Exception {
    long version = service.definitionsVersion();
    mongo.stop();
    try {
      assertThat(service.refreshNow()).isFalse();
      assertThat(object(post("/ofrep/v1/evaluate/flags/banner", context("e"), Map.of()).body()))
          .containsEntry("value", "blue");
      assertThat(service.definitionsVersion()).isEqualTo(version);
    } finally {
      mongo.restart();
      // The admin client's pooled sockets died with the server; start from fresh ones.
      admin.close();
      admin = MongoClients.create(mongo.connectionString());
      flags = admin.getDatabase("flagstack").getCollection("flags");
    }
  }

  @Test
  void evaluationAgreesWithFlagDefinitionEvaluate() throws Exception {
    FlagDefinition half = service.snapshotForTests().definitions().get("half");
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      String entity = "entity-" + i;
      Object served = object(post("/ofrep/v1/evaluate/flags/half", context(entity), Map.of()).body()).get("value");
      assertThat(served).isEqualTo(half.evaluate(entity).booleanValue());
      seen.add(served);
    }
    assertThat(seen).containsExactlyInAnyOrder(true, false);
  }

  @Test
  void aTokenIsRequiredWhenConfigured() throws Exception {
    try (ReferenceFlagService secured = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
        .token("s3cret").build().start()) {
      String base = secured.ofrepBaseUrl();
      assertThat(post(base, "/ofrep/v1/evaluate/flags/banner", context("e"), Map.of()).statusCode()).isEqualTo(401);
      assertThat(post(base, "/ofrep/v1/evaluate/flags/banner", context("e"), Map.of("Authorization", "Bearer nope"))
          .statusCode()).isEqualTo(403);
      assertThat(post(base, "/ofrep/v1/evaluate/flags/banner", context("e"), Map.of("Authorization", "Bearer s3cret"))
          .statusCode()).isEqualTo(200);
      assertThat(post(base, "/ofrep/v1/evaluate/flags/banner", context("e"), Map.of("X-API-Key", "s3cret"))
          .statusCode()).isEqualTo(200);
    }
  }

  private static void assertError(HttpResponse<String> r, String code) throws IOException {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(object(r.body())).containsEntry("errorCode", code).containsKey("errorDetails");
  }

  private static String context(String entity) {
    return "{\"context\":{\"targetingKey\":\"" + entity + "\",\"plan\":\"pro\"}}";
  }

  private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
    return post(service.ofrepBaseUrl(), path, body, headers);
  }

  private static HttpResponse<String> post(String base, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Reads a JSON document into maps, lists, strings, longs, doubles and booleans. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String json) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      return (Map<String, Object>) read(p);
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          m.put(name, read(p));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(read(p));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return true;
      case VALUE_FALSE:
        return false;
      default:
        return null;
    }
  }
}
