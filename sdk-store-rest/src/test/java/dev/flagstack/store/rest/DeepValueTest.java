package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JSON value as deep as the core allows (64 levels) fits in an OFREP reply, single or bulk, though the
 * reply wraps it in up to three more levels; one level deeper is a malformed reply, not a crash.
 */
class DeepValueTest {
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

  private static String nested(int depth) {
    return "[".repeat(depth - 1) + "{\"k\":1.0}" + "]".repeat(depth - 1);
  }

  @Test
  void aValueNested64DeepIsReadFromASingleFlagReply() {
    server.enqueue(json(200, "{\"key\":\"deep\",\"reason\":\"STATIC\",\"value\":" + nested(64) + "}"));

    assertThat(answer(store.getFlags("e", flags("deep"))).get("deep")).isEqualTo(FlagValue.fromJson(nested(64)));
  }

  @Test
  void aValueNested64DeepIsReadFromABulkReplyAndDoesNotSpoilTheOtherFlags() {
    server.enqueue(json(200, "{\"flags\":[{\"key\":\"deep\",\"value\":" + nested(64) + "},"
        + "{\"key\":\"plain\",\"value\":true}]}"));

    assertThat(answer(store.getFlags("e", flags("deep", "plain"))))
        .containsEntry("deep", FlagValue.fromJson(nested(64)))
        .containsEntry("plain", FlagValue.TRUE);
  }

  @Test
  void aValueNested65DeepIsAMalformedReplyAndATransientFailure() throws Exception {
    server.enqueue(json(200, "{\"flags\":[{\"key\":\"deep\",\"value\":" + nested(65) + "}]}"));

    try {
      store.getFlags("e", flags("deep", "other")).toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("a value deeper than the core allows was accepted");
    } catch (ExecutionException e) {
      assertThat(StoreException.isTransient(e.getCause())).isTrue();
      assertThat(e.getCause()).hasMessageContaining("malformed reply");
    }
  }
}
