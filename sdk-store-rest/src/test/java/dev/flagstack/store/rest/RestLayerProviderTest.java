package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Type {@code rest} through the configuration, against a real HTTP server answering OFREP. */
class RestLayerProviderTest {
  private static final String TOKEN = "cfg-T0KEN-s3cret-987";
  private static final String API_KEY = "cfg-AP1KEY-s3cret-654";
  private static final String TENANT = "cfg-TENANT-s3cret-321";

  @StartStop
  final MockWebServer server = new MockWebServer();

  private static ConfiguredFlagClient build(Map<String, String> restSettings) {
    Map<String, String> all = new HashMap<>();
    all.put("flagstack.primary.type", "rest");
    all.put("flagstack.watch-changes", "false"); // the tests script the replies to reads, not to change polls
    restSettings.forEach((k, v) -> all.put("flagstack.primary.rest." + k, v));
    return FlagClientConfig.fromMap(all).build();
  }

  private String baseUrl() {
    return server.url("/api/").toString();
  }

  @Test
  void aConfiguredRestPrimaryReadsTheServerAndSendsItsCredentials() throws Exception {
    server.enqueue(json(200, Ofrep.success("checkout", "green")));
    Map<String, String> settings = new HashMap<>();
    settings.put("base-url", baseUrl());
    settings.put("name", "cfg-rest");
    settings.put("call-timeout", "10s");
    settings.put("max-response-bytes", "4096");
    settings.put("max-concurrent-calls", "8");
    settings.put("max-retry-after", "1m");
    settings.put("bearer-token", TOKEN);
    settings.put("api-key", API_KEY);
    settings.put("api-key-header", "X-Custom-Key");
    settings.put("headers", "X-Tenant=" + TENANT + ", X-Region = eu-1");
    try (ConfiguredFlagClient configured = build(settings)) {
      assertThat(configured.primary()).isInstanceOf(RestFlagStore.class);
      assertThat(configured.primary().name()).isEqualTo("cfg-rest");
      assertThat(configured.primary().callTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(configured.primary().toString()).contains("maxResponseBytes=4096", "maxConcurrentCalls=8");
      assertThat(configured.client().getFlagDetail("tenant-7", "checkout", FlagValue.of("default")))
          .satisfies(d -> assertThat(d.value()).isEqualTo(FlagValue.of("green")))
          .satisfies(d -> assertThat(d.source()).isEqualTo(FlagSource.PRIMARY));
      assertThat(configured.toString()).doesNotContain(TOKEN).doesNotContain(API_KEY).doesNotContain(TENANT);
    }
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/ofrep/v1/evaluate/flags/checkout");
    assertThat(Ofrep.targetingKey(request)).isEqualTo("tenant-7");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(request.getHeaders().get("X-Custom-Key")).isEqualTo(API_KEY);
    assertThat(request.getHeaders().get("X-API-Key")).as("the configured header replaces the default").isNull();
    assertThat(request.getHeaders().get("X-Tenant")).isEqualTo(TENANT);
    assertThat(request.getHeaders().get("X-Region")).isEqualTo("eu-1");
  }

  @Test
  void anApiKeyGoesInTheOfrepHeaderByDefault() throws Exception {
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (ConfiguredFlagClient configured = build(Map.of("base-url", baseUrl(), "api-key", API_KEY))) {
      assertThat(configured.primary().name()).isEqualTo(RestFlagStore.Builder.DEFAULT_NAME);
      assertThat(configured.primary().callTimeout()).isEqualTo(RestFlagStore.Builder.DEFAULT_CALL_TIMEOUT);
      assertThat(configured.client().getBoolean("e", "f", false)).isTrue();
    }
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().get(RestFlagStore.Builder.DEFAULT_API_KEY_HEADER)).isEqualTo(API_KEY);
    assertThat(request.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void aMissingBaseUrlNamesTheKey() {
    assertThatThrownBy(() -> build(Map.of("bearer-token", TOKEN)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.rest.base-url is required")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
  }

  @Test
  void aMalformedBaseUrlNamesTheKeyAndNeverShowsItsCredentials() {
    String password = "Url-Pa55-s3cret";
    for (String bad : new String[] {"https://reader:" + password + "@flags.example/",
        "ftp://reader:" + password + "@flags.example/", "http://flags.example/?token=" + password,
        "http://[::1:" + password}) {
      assertThatThrownBy(() -> build(Map.of("base-url", bad)))
          .as(bad)
          .isInstanceOf(FlagConfigurationException.class)
          .hasMessageStartingWith("flagstack.primary.rest.base-url is invalid: baseUrl ")
          .hasMessageEndingWith("(value not shown)")
          .hasNoCause()
          .satisfies(e -> assertThat(e.toString()).doesNotContain(password))
          .satisfies(e -> assertThat(((FlagConfigurationException) e).key()).isEqualTo("flagstack.primary.rest.base-url"));
    }
  }

  @Test
  void aMalformedTokenKeyOrHeaderNamesTheKeyAndNeverShowsTheSecret() {
    Map<String, String> cases = Map.of(
        "bearer-token", TOKEN + "\r\nX-Injected: 1",
        "api-key", API_KEY + "\u0000-tail",
        "headers", "X-Tenant=" + TENANT + "\u0007-tail");
    cases.forEach((key, bad) -> assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), key, bad)))
        .as(key)
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest." + key + " is invalid: ")
        .hasMessageContaining("not allowed in an HTTP header")
        .hasNoCause()
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN).doesNotContain(API_KEY).doesNotContain(TENANT)));
  }

  @Test
  void headersMustBeNameValuePairs() {
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "headers", "X-Region=eu, " + TENANT)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.rest.headers must be Name=value pairs separated by commas; item 2 has no '=' "
            + "(value not shown)");
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "headers", "=" + TENANT)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageContaining("item 1 has no name")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TENANT));
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "headers", "Content-Type=" + TENANT)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest.headers is invalid: header name 'Content-Type' is set by the store")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TENANT));
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "bearer-token", TOKEN,
        "headers", "authorization=" + TENANT)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest.headers is invalid: header: header 'authorization' was already set")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TENANT).doesNotContain(TOKEN));
  }

  @Test
  void anApiKeyHeaderNeedsAnApiKeyAndAValidName() {
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "api-key-header", "X-Custom-Key")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.rest.api-key-header is set without api-key");
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "api-key", API_KEY, "api-key-header", "X Key")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest.api-key-header is invalid: api-key-header is not a valid HTTP header name")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(API_KEY));
  }

  @Test
  void aMalformedOrRefusedSettingNamesTheKeyAndTheValue() {
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "max-response-bytes", "10")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.rest.max-response-bytes is invalid: maxResponseBytes must be between 1024 and "
            + "268435456, was 10");
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "max-concurrent-calls", "many")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest.max-concurrent-calls ")
        .hasMessageEndingWith("was 'many'");
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "call-timeout", "5000")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.rest.call-timeout ")
        .hasMessageEndingWith("was '5000'");
  }

  @Test
  void anUnknownKeyIsNamedWithTheKeysOfTheType() {
    assertThatThrownBy(() -> build(Map.of("base-url", baseUrl(), "bearer-tokn", TOKEN)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("unknown key flagstack.primary.rest.bearer-tokn for type 'rest'; its keys are: base-url, ")
        .hasMessageContaining("bearer-token")
        .hasMessageContaining("headers")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
  }
}
