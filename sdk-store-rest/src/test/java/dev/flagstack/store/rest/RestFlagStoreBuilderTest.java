package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every setting is validated at once, names the option and the bad value, and can be set only once. */
class RestFlagStoreBuilderTest {
  @StartStop
  final MockWebServer server = new MockWebServer();

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "ftp://flags.example.com     | scheme 'ftp'",
      "flags.example.com:8016      | scheme 'flags.example.com'",
      "flags.example.com           | no scheme",
      "'   '                       | must not be blank",
      "http://                     | not a valid http(s) URL",
      "https://flags.example.com/#x | fragment",
      "https://flags.example.com/?a=1 | query",
      "https://u@flags.example.com | user info",
  })
  void aBadBaseUrlIsRefusedAtBuildTime(String url, String why) {
    assertThatThrownBy(() -> RestFlagStore.builder().baseUrl(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl")
        .hasMessageContaining(why);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/                | /ofrep/v1/evaluate/flags/f",
      "/api             | /api/ofrep/v1/evaluate/flags/f",
      "/api/            | /api/ofrep/v1/evaluate/flags/f",
      "/a%20b/          | /a%20b/ofrep/v1/evaluate/flags/f",
  })
  void theOfrepPathIsAppendedToTheBaseUrlsPath(String basePath, String expectedPath) throws Exception {
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = RestFlagStore.builder().baseUrl(server.url(basePath).toString()).build()) {
      answer(store.getFlags("e", flags("f")));
    }
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo(expectedPath);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    try (RestFlagStore store = RestFlagStore.builder().baseUrl("http://localhost:8016").build()) {
      assertThat(store.name()).isEqualTo("rest");
      assertThat(store.callTimeout()).isEqualTo(Duration.ofSeconds(5)).isEqualTo(RestFlagStore.Builder.DEFAULT_CALL_TIMEOUT);
      assertThat(store.toString()).contains("maxResponseBytes=1048576", "callTimeout=5000 ms", "maxConcurrentCalls=64",
          "ownsClient=true", "http://localhost:8016/", "changePollInterval=1000 ms");
    }
    assertThat(RestFlagStore.Builder.DEFAULT_CHANGE_POLL_INTERVAL).isEqualTo(Duration.ofSeconds(1));
    assertThat(RestFlagStore.Builder.DEFAULT_CHANGE_PROBE_TARGETING_KEY).isEqualTo("flagstack-change-probe");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0.009S", "PT10M0.001S", "PT-1S", "PT-0.001S"})
  void aChangePollIntervalOutsideItsBoundsIsRefused(String interval) {
    assertThatThrownBy(() -> RestFlagStore.builder().changePollInterval(Duration.parse(interval)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changePollInterval must be zero (no polling) or between 10 ms and 10 minutes")
        .hasMessageEndingWith("was " + Duration.parse(interval));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "PT0.01S", "PT1S", "PT10M"})
  void aChangePollIntervalWithinItsBoundsIsAccepted(String interval) {
    try (RestFlagStore store = RestFlagStore.builder().baseUrl("http://localhost:8016")
        .changePollInterval(Duration.parse(interval)).build()) {
      assertThat(store.toString()).contains("changePollInterval=" + Duration.parse(interval).toMillis() + " ms");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "a\nb", "tab\there", "\ud800alone", "alone\udc00"})
  void aBadChangeProbeTargetingKeyIsRefused(String key) {
    assertThatThrownBy(() -> RestFlagStore.builder().changeProbeTargetingKey(key))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("changeProbeTargetingKey must be");
  }

  @Test
  void aChangeProbeTargetingKeyOfAtMost256CharactersIsAccepted() {
    RestFlagStore.builder().changeProbeTargetingKey("k".repeat(256));
    RestFlagStore.builder().changeProbeTargetingKey("\ud83d\ude80 paired surrogates");
    assertThatThrownBy(() -> RestFlagStore.builder().changeProbeTargetingKey("k".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    assertThatThrownBy(() -> RestFlagStore.builder().changeProbeTargetingKey(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("changeProbeTargetingKey");
  }

  @Test
  void settingAnOptionTwiceIsAnIllegalState() {
    assertThatThrownBy(() -> RestFlagStore.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("name was already set to a");
    assertThatThrownBy(() -> RestFlagStore.builder().baseUrl("http://a").baseUrl("http://b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl was already set to http://a/");
    assertThatThrownBy(() -> RestFlagStore.builder().callTimeout(Duration.ofSeconds(1)).callTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("callTimeout was already set");
    assertThatThrownBy(() -> RestFlagStore.builder().maxResponseBytes(2048).maxResponseBytes(4096))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxResponseBytes was already set to 2048");
    assertThatThrownBy(() -> RestFlagStore.builder().apiKey("k1").header("x-api-key", "k2"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'x-api-key' was already set");
    assertThatThrownBy(() -> RestFlagStore.builder().changePollInterval(Duration.ZERO)
        .changePollInterval(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("changePollInterval was already set to PT0S");
    assertThatThrownBy(() -> RestFlagStore.builder().changeProbeTargetingKey("p").changeProbeTargetingKey("q"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("changeProbeTargetingKey was already set to p");
  }

  @Test
  void badValuesNameTheOptionAndTheValue() {
    assertThatThrownBy(() -> RestFlagStore.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> RestFlagStore.builder().callTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
    assertThatThrownBy(() -> RestFlagStore.builder().maxResponseBytes(10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResponseBytes").hasMessageContaining("was 10");
    assertThatThrownBy(() -> RestFlagStore.builder().maxConcurrentCalls(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentCalls").hasMessageContaining("was 0");
    assertThatThrownBy(() -> RestFlagStore.builder().maxRetryAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetryAfter");
    assertThatThrownBy(() -> RestFlagStore.builder().name(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> RestFlagStore.builder().clock(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("clock");
    assertThatThrownBy(() -> RestFlagStore.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Bad Name", "X:Y", "Host", "Content-Type", "If-None-Match"})
  void badOrReservedHeaderNamesAreRefused(String name) {
    assertThatThrownBy(() -> RestFlagStore.builder().header(name, "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header name");
  }
}
