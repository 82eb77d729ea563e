package dev.flagstack.store.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Helpers shared by the REST store tests: replies, waiting for stages, reading request bodies, logs. */
final class Ofrep {
  static final JsonFactory JSON = new JsonFactory();

  private Ofrep() {}

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).build();
  }

  static RestFlagStore.Builder storeFor(MockWebServer server) {
    return RestFlagStore.builder().baseUrl(server.url("/").toString());
  }

  static Set<String> flags(String... flags) {
    return new LinkedHashSet<>(List.of(flags));
  }

  /** The stage's map, waiting at most 20 s (a generous bound for a shared machine). */
  static Map<String, FlagValue> answer(CompletionStage<Map<String, FlagValue>> stage) {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected an answer, the stage failed with " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** The StoreException the stage failed with, waiting at most 20 s. */
  static StoreException failure(CompletionStage<Map<String, FlagValue>> stage) {
    try {
      Map<String, FlagValue> value = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StoreException.class);
      return (StoreException) e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  /** The targetingKey of a recorded request body, read with a JSON parser. */
  static String targetingKey(RecordedRequest request) {
    try (JsonParser p = JSON.createParser(request.getBody().toByteArray())) {
      String found = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME && "targetingKey".equals(p.currentName())) {
          p.nextToken();
          found = p.getText();
        }
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code {"key": key, "value": value, "reason": "STATIC"}} with the key properly escaped. */
  static String success(String key, String stringValue) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("key", key);
      g.writeStringField("value", stringValue);
      g.writeStringField("reason", "STATIC");
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Runs {@code action} with System.err captured (slf4j-simple writes there) and returns what was logged. */
  static String logsOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    original.print(logs);
    return logs;
  }
}
