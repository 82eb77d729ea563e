package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.status;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Tokens, API keys and header values reach the server and nothing else: no toString, exception or log line. */
class SecretsTest {
  private static final String TOKEN = "tok-S3CRET-1234567890";
  private static final String API_KEY = "key-S3CRET-abcdef";
  private static final String TENANT = "tenant-S3CRET-xyz";

  @StartStop
  final MockWebServer server = new MockWebServer();

  private RestFlagStore.Builder withSecrets() {
    return storeFor(server).bearerToken(TOKEN).apiKey(API_KEY).header("X-Tenant", TENANT);
  }

  @Test
  void secretsAreSentToTheServer() throws Exception {
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = withSecrets().build()) {
      answer(store.getFlags("e", flags("f")));
    }
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(request.getHeaders().get("X-API-Key")).isEqualTo(API_KEY);
    assertThat(request.getHeaders().get("X-Tenant")).isEqualTo(TENANT);
  }

  @Test
  void aCustomApiKeyHeaderNameIsUsed() throws Exception {
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = storeFor(server).apiKey("X-ConfigCat-SdkKey", API_KEY).build()) {
      answer(store.getFlags("e", flags("f")));
    }
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().get("X-ConfigCat-SdkKey")).isEqualTo(API_KEY);
    assertThat(request.getHeaders().get("X-API-Key")).isNull();
  }

  @Test
  void secretsAreAbsentFromToStringExceptionsAndLogs() {
    for (int code : new int[] {401, 403, 500, 429, 400, 404}) {
      server.enqueue(json(code, "{\"errorCode\":\"GENERAL\"}"));
    }
    server.enqueue(json(200, "<html>login</html>"));
    server.enqueue(json(503, "{\"errorDetails\":\"down\"}")); // for the read through the client
    List<String> texts = new ArrayList<>();
    MutableClock clock = new MutableClock();
    String logs = Ofrep.logsOf(() -> {
      RestFlagStore.Builder builder = withSecrets().clock(clock);
      texts.add(builder.toString());
      try (RestFlagStore store = builder.build();
          FlagClient client = FlagClient.builder().primary(store).secondary(new InMemoryFlagStore("backup"))
              .lastKnownGood(false).build()) {
        texts.add(store.toString());
        texts.add(client.toString());
        for (int i = 0; i < 7; i++) {
          StoreException e = failure(store.getFlags("e" + i, flags("f", "g")));
          texts.add(stackTraceOf(e));
          if (i == 3) {
            clock.advance(Duration.ofSeconds(2)); // past the 429's default pause
          }
        }
        texts.add(client.getFlagDetail("x", "f", FlagValue.TRUE).toString());
      }
    });
    texts.add(logs);

    assertThat(logs).contains("ERROR");
    for (String text : texts) {
      assertThat(text).doesNotContain("S3CRET");
    }
    assertThat(texts.get(1)).contains("Authorization", "X-API-Key", "X-Tenant");
  }

  @Test
  void builderErrorsNeverRepeatASecret() {
    assertThatThrownBy(() -> RestFlagStore.builder().bearerToken("S3CRET\r\nX-Injected: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bearerToken")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    assertThatThrownBy(() -> RestFlagStore.builder().apiKey("S3CRET\u00e9"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    assertThatThrownBy(() -> RestFlagStore.builder().header("X-Tenant", " S3CRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    assertThatThrownBy(() -> RestFlagStore.builder().bearerToken(TOKEN).bearerToken(TOKEN))
        .isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    assertThatThrownBy(() -> RestFlagStore.builder().baseUrl("https://user:S3CRET@flags.example.com/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user info")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
    assertThatThrownBy(() -> RestFlagStore.builder().baseUrl("https://flags.example.com/?token=S3CRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("S3CRET"));
  }

  private static String stackTraceOf(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
