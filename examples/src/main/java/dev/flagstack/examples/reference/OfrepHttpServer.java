package dev.flagstack.examples.reference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves OFREP (the OpenFeature Remote Evaluation Protocol, version 0.3.0) over HTTP: single-flag and
 * bulk evaluation, ETag and 304 on bulk, the error bodies of the specification, and optional token
 * authentication. Every reply is built with Jackson's streaming generator from an {@link Evaluation}.
 */
final class OfrepHttpServer {
  static final String SINGLE_PREFIX = "/ofrep/v1/evaluate/flags/";
  static final String BULK_PATH = "/ofrep/v1/evaluate/flags";
  /** The largest request body read; a larger one is refused with 413. */
  static final int MAX_REQUEST_BYTES = 64 * 1024;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(32).maxNumberLength(100).maxStringLength(MAX_REQUEST_BYTES).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  private final ServiceControls controls;
  private final DefinitionRepository repository;
  private final String token;
  private final java.util.concurrent.atomic.AtomicLong bulkReplies = new java.util.concurrent.atomic.AtomicLong();
  private HttpServer server;
  private ExecutorService executor;

  OfrepHttpServer(ServiceControls controls, DefinitionRepository repository, String token) {
    this.controls = controls;
    this.repository = repository;
    this.token = token;
  }

  synchronized int start(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 64);
    AtomicInteger n = new AtomicInteger();
    executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "reference-ofrep-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext(BULK_PATH, this::handle);
    server.start();
    return server.getAddress().getPort();
  }

  synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      controls.beforeReply();
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (token != null && !authorized(exchange)) {
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals(BULK_PATH) || path.equals(BULK_PATH + "/")) {
        bulk(exchange);
      } else if (path.startsWith(SINGLE_PREFIX) && path.length() > SINGLE_PREFIX.length()) {
        single(exchange, path.substring(SINGLE_PREFIX.length()));
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    String bearer = exchange.getRequestHeaders().getFirst("Authorization");
    String apiKey = exchange.getRequestHeaders().getFirst("X-API-Key");
    if (bearer == null && apiKey == null) {
      exchange.sendResponseHeaders(401, -1);
      return false;
    }
    boolean ok = (bearer != null && MessageDigest.isEqual(bearer.getBytes(StandardCharsets.UTF_8),
        ("Bearer " + token).getBytes(StandardCharsets.UTF_8)))
        || (apiKey != null && MessageDigest.isEqual(apiKey.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8)));
    if (!ok) {
      exchange.sendResponseHeaders(403, -1);
    }
    return ok;
  }

  private void single(HttpExchange exchange, String key) throws IOException {
    ContextOrError context = readContext(exchange);
    if (context.errorCode != null) {
      reply(exchange, 400, g -> failure(g, key, context.errorCode, context.details));
      return;
    }
    DefinitionSnapshot snapshot = repository.snapshot();
    String broken = snapshot.broken().get(key);
    FlagDefinition definition = snapshot.definitions().get(key);
    if (broken != null) {
      reply(exchange, 400, g -> failure(g, key, "PARSE_ERROR", "the stored definition is invalid: " + broken));
    } else if (definition == null) {
      reply(exchange, 404, g -> failure(g, key, "FLAG_NOT_FOUND", "flag '" + key + "' was not found"));
    } else if (!representable(definition)) {
      reply(exchange, 400, g -> failure(g, key, "GENERAL", "array values are not representable in OFREP"));
    } else {
      Evaluation evaluation = Evaluation.of(definition, context.targetingKey);
      reply(exchange, 200, g -> success(g, evaluation));
    }
  }

  private void bulk(HttpExchange exchange) throws IOException {
    ContextOrError context = readContext(exchange);
    if (context.errorCode != null) {
      reply(exchange, 400, g -> {
        g.writeStartObject();
        g.writeStringField("errorCode", context.errorCode);
        g.writeStringField("errorDetails", context.details);
        g.writeEndObject();
      });
      return;
    }
    DefinitionSnapshot snapshot = repository.snapshot();
    Map<String, Object> sorted = new TreeMap<>(snapshot.broken());
    sorted.putAll(snapshot.definitions());
    byte[] body = write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("flags");
      for (Map.Entry<String, Object> entry : sorted.entrySet()) {
        if (entry.getValue() instanceof FlagDefinition definition) {
          if (representable(definition)) {
            success(g, Evaluation.of(definition, context.targetingKey));
          } else {
            failure(g, entry.getKey(), "GENERAL", "array values are not representable in OFREP");
          }
        } else {
          failure(g, entry.getKey(), "PARSE_ERROR", "the stored definition is invalid: " + entry.getValue());
        }
      }
      g.writeEndArray();
      g.writeObjectFieldStart("metadata");
      g.writeStringField("version", "v" + snapshot.version());
      g.writeEndObject();
      g.writeEndObject();
    });
    String etag = etag(body);
    exchange.getResponseHeaders().set("ETag", etag);
    String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      exchange.sendResponseHeaders(304, -1);
    } else {
      send(exchange, 200, body);
    }
    bulkReplies.incrementAndGet();
  }

  /** How many bulk evaluations were answered (200 or 304); tests wait on it. */
  long bulkReplies() {
    return bulkReplies.get();
  }

  private static boolean representable(FlagDefinition definition) {
    if (definition.defaultValue().type() != FlagType.JSON) {
      return true;
    }
    return definition.defaultValue().toJson().startsWith("{");
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private static void success(JsonGenerator g, Evaluation e) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", e.key());
    g.writeFieldName("value");
    g.writeRawValue(e.value().toJson());
    g.writeStringField("reason", e.reason());
    g.writeStringField("variant", e.variant());
    g.writeObjectFieldStart("metadata");
    g.writeStringField("definition", e.definitionTag());
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void failure(JsonGenerator g, String key, String code, String details) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", key);
    g.writeStringField("errorCode", code);
    g.writeStringField("errorDetails", details);
    g.writeEndObject();
  }

  /** The request's targeting key, or the OFREP error code and details that say why there is none. */
  private record ContextOrError(String targetingKey, String errorCode, String details) {}

  private static ContextOrError readContext(HttpExchange exchange) throws IOException {
    byte[] body = readBounded(exchange.getRequestBody());
    if (body == null) {
      return new ContextOrError(null, "PARSE_ERROR", "request body over " + MAX_REQUEST_BYTES + " bytes");
    }
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new ContextOrError(null, "PARSE_ERROR", "the request body must be a JSON object");
      }
      String targetingKey = null;
      boolean sawContext = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!"context".equals(field)) {
          p.skipChildren();
          continue;
        }
        sawContext = true;
        if (value != JsonToken.START_OBJECT) {
          return new ContextOrError(null, "INVALID_CONTEXT", "context must be a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if ("targetingKey".equals(name)) {
            if (v != JsonToken.VALUE_STRING) {
              return new ContextOrError(null, "INVALID_CONTEXT", "targetingKey must be a string");
            }
            targetingKey = p.getText();
          } else {
            p.skipChildren();
          }
        }
      }
      if (p.nextToken() != null) {
        return new ContextOrError(null, "PARSE_ERROR", "trailing data after the request object");
      }
      if (!sawContext) {
        return new ContextOrError(null, "INVALID_CONTEXT", "the request has no context");
      }
      if (targetingKey == null || targetingKey.isBlank()) {
        return new ContextOrError(null, "TARGETING_KEY_MISSING", "context.targetingKey is missing or blank");
      }
      return new ContextOrError(targetingKey, null, null);
    } catch (IOException e) {
      return new ContextOrError(null, "PARSE_ERROR", "the request body is not valid JSON");
    }
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) != -1) {
      if (out.size() + n > MAX_REQUEST_BYTES) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    }
    return out.toByteArray();
  }

  private static void reply(HttpExchange exchange, int status, Body body) throws IOException {
    send(exchange, status, write(body));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return '"' + HexFormat.of().formatHex(digest, 0, 16) + '"';
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
