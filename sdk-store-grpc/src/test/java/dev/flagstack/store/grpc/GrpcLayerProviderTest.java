package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.captureStderr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Type {@code grpc} through the configuration, against a real Netty gRPC server. */
class GrpcLayerProviderTest {
  private static final String TOKEN = "cfg-GRPC-T0KEN-s3cret-987";
  private static final String PREFIX = "flagstack.primary.grpc.";

  private FlagTestServer server;

  @BeforeEach
  void start() throws Exception {
    server = FlagTestServer.start().put("checkout", FlagValue.of("green"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static ConfiguredFlagClient build(Map<String, String> grpcSettings) {
    Map<String, String> all = new HashMap<>();
    all.put("flagstack.primary.type", "grpc");
    grpcSettings.forEach((k, v) -> all.put(PREFIX + k, v));
    return FlagClientConfig.fromMap(all).build();
  }

  /** A plaintext store of the test server, plus {@code more}. */
  private Map<String, String> plaintext(String... more) {
    Map<String, String> settings = new HashMap<>(Map.of("target", server.target(), "plaintext", "true",
        "call-timeout", "10s"));
    for (int i = 0; i < more.length; i += 2) {
      settings.put(more[i], more[i + 1]);
    }
    return settings;
  }

  private static Path testCa() throws Exception {
    return Path.of(GrpcLayerProviderTest.class.getClassLoader().getResource("tls/ca.pem").toURI());
  }

  @Test
  void aConfiguredGrpcPrimaryReadsTheServerAndSendsItsToken() throws Exception {
    Map<String, String> settings = plaintext(
        "name", "cfg-grpc",
        "max-inbound-message-size", "65536",
        "keep-alive-time", "5m",
        "keep-alive-timeout", "30s",
        "bearer-token", TOKEN,
        "watch-idle-timeout", "45s",
        "watch-reconnect-backoff-initial", "200ms",
        "watch-reconnect-backoff-max", "10s");
    String[] shown = new String[1];
    String logged = captureStderr(() -> {
      try (ConfiguredFlagClient configured = build(settings)) {
        assertThat(configured.primary()).isInstanceOf(GrpcFlagStore.class);
        assertThat(configured.primary().name()).isEqualTo("cfg-grpc");
        assertThat(configured.primary().callTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(configured.primary().toString())
            .contains("target=" + server.target(), "tls=false", "maxInboundMessageSize=65536", "watchIdleTimeout=PT45S",
                "bearerToken=set");
        FlagDetail detail = configured.client().getFlagDetail("tenant-7", "checkout", FlagValue.of("default"));
        assertThat(detail.value()).isEqualTo(FlagValue.of("green"));
        assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
        shown[0] = configured + " " + configured.primary();
      }
    });
    assertThat(server.requests()).hasSize(1);
    assertThat(server.requests().get(0).getEntityId()).isEqualTo("tenant-7");
    assertThat(server.authorizations()).containsExactly("Bearer " + TOKEN);
    assertThat(shown[0]).doesNotContain(TOKEN);
    assertThat(logged).as("what was logged").doesNotContain(TOKEN);
  }

  @Test
  void tlsIsTheDefaultAndTrustCertificatesNamesTheCaFile() throws Exception {
    try (FlagTestServer tls = FlagTestServer.startTls().put("f", FlagValue.of("secure"));
        ConfiguredFlagClient configured = build(Map.of("target", "localhost:" + tls.port(),
            "trust-certificates", testCa().toString(), "call-timeout", "10s", "bearer-token", TOKEN))) {
      assertThat(configured.primary().toString()).contains("tls=true");
      assertThat(configured.primary().name()).isEqualTo(GrpcFlagStore.Builder.DEFAULT_NAME);
      assertThat(configured.client().getString("e", "f", "default")).isEqualTo("secure");
      assertThat(tls.authorizations()).containsExactly("Bearer " + TOKEN);
    }
  }

  @Test
  void aMissingTargetNamesTheKey() {
    assertThatThrownBy(() -> build(Map.of("plaintext", "true", "bearer-token", TOKEN)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage(PREFIX + "target is required")
        .satisfies(e -> assertThat(((FlagConfigurationException) e).key()).isEqualTo(PREFIX + "target"))
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
  }

  @Test
  void aBadTargetNamesTheKeyAndNeverShowsItsCredentials() {
    String password = "Tgt-Pa55-s3cret";
    for (String bad : new String[] {"dns://reader:" + password + "@flags example:443", "nosuch://reader:" + password
        + "@flags.example/x", "flags.example:443/" + password + "\u0007x"}) {
      assertThatThrownBy(() -> build(Map.of("target", bad, "bearer-token", TOKEN)))
          .as(bad)
          .isInstanceOf(FlagConfigurationException.class)
          .hasMessageStartingWith(PREFIX + "target is invalid: ")
          .hasMessageEndingWith("(value not shown)")
          .hasNoCause()
          .satisfies(e -> assertThat(e.toString()).doesNotContain(password).doesNotContain("reader")
              .doesNotContain(TOKEN))
          .satisfies(e -> assertThat(((FlagConfigurationException) e).key()).isEqualTo(PREFIX + "target"));
    }
  }

  @Test
  void aBadTokenNamesTheKeyAndNeverShowsTheToken() {
    for (String bad : new String[] {TOKEN + "\r\nx-injected: 1", TOKEN + " tail", TOKEN + "\u00e9"}) {
      assertThatThrownBy(() -> build(plaintext("bearer-token", bad)))
          .isInstanceOf(FlagConfigurationException.class)
          .hasMessageStartingWith(PREFIX + "bearer-token is invalid: bearerToken must hold visible ASCII characters only")
          .hasMessageEndingWith("(value not shown)")
          .hasNoCause()
          .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
    }
  }

  @Test
  void aMalformedOrRefusedSettingNamesTheKeyAndTheValueButNeverTheToken() {
    Map<String, String> cases = new HashMap<>();
    cases.put("call-timeout", "5000");
    cases.put("max-inbound-message-size", "10");
    cases.put("plaintext", "yes");
    cases.put("keep-alive-time", "1s");
    cases.put("watch-idle-timeout", "2h");
    cases.put("name", " ".repeat(3) + "x".repeat(65));
    cases.forEach((key, bad) -> assertThatThrownBy(() -> build(plaintext(key, bad, "bearer-token", TOKEN)))
        .as(key)
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith(PREFIX + key + " ")
        .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase(bad.trim()))
        .satisfies(e -> assertThat(((FlagConfigurationException) e).key()).isEqualTo(PREFIX + key))
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN)));
    assertThatThrownBy(() -> build(plaintext("max-inbound-message-size", "10")))
        .hasMessage(PREFIX + "max-inbound-message-size is invalid: maxInboundMessageSize must be from 1024 to "
            + "268435456 bytes, was 10");
  }

  @Test
  void trustCertificatesMustBeAReadableCaFileAndNotPlaintext() throws Exception {
    assertThatThrownBy(() -> build(Map.of("target", server.target(), "trust-certificates", "/no/such/ca.pem")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith(PREFIX + "trust-certificates is invalid: trustCertificates cannot read /no/such/ca.pem");
    assertThatThrownBy(() -> build(plaintext("trust-certificates", testCa().toString())))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage(PREFIX + "trust-certificates is invalid: trustCertificates cannot be combined with plaintext()");
  }

  @Test
  void aKeepAliveTimeoutNeedsAKeepAliveTime() {
    assertThatThrownBy(() -> build(plaintext("keep-alive-timeout", "30s")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage(PREFIX + "keep-alive-timeout is set without keep-alive-time");
  }

  @Test
  void theWatchBackoffBoundsAreCheckedTogetherAndNameTheBoundAtFault() {
    assertThatThrownBy(() -> build(plaintext("watch-reconnect-backoff-initial", "10s",
        "watch-reconnect-backoff-max", "5s")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage(PREFIX + "watch-reconnect-backoff-initial is invalid: watchReconnectBackoff initial must not "
            + "exceed max, was PT10S to PT5S");
    assertThatThrownBy(() -> build(plaintext("watch-reconnect-backoff-initial", "1s",
        "watch-reconnect-backoff-max", "11m")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith(PREFIX + "watch-reconnect-backoff-max is invalid: watchReconnectBackoff must be from");
    assertThatThrownBy(() -> build(plaintext("watch-reconnect-backoff-initial", "0s")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith(PREFIX + "watch-reconnect-backoff-initial is invalid: watchReconnectBackoff must be from");
    assertThatThrownBy(() -> build(plaintext("watch-reconnect-backoff-max", "500")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith(PREFIX + "watch-reconnect-backoff-max needs a unit");
    // One bound alone keeps the other's default, moved to fit: neither of these is an error.
    try (ConfiguredFlagClient configured = build(plaintext("watch-reconnect-backoff-max", "50ms"))) {
      assertThat(configured.primary()).isInstanceOf(GrpcFlagStore.class);
    }
    try (ConfiguredFlagClient configured = build(plaintext("watch-reconnect-backoff-initial", "30s"))) {
      assertThat(configured.primary()).isInstanceOf(GrpcFlagStore.class);
    }
  }

  @Test
  void anUnknownKeyIsNamedWithTheKeysOfTheType() {
    assertThatThrownBy(() -> build(plaintext("bearer-tokn", TOKEN)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("unknown key " + PREFIX + "bearer-tokn for type 'grpc'; its keys are: target, ")
        .hasMessageContaining("bearer-token")
        .hasMessageContaining("watch-reconnect-backoff-max")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
  }
}
