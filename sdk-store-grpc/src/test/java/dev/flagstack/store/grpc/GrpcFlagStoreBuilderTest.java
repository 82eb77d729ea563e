package dev.flagstack.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpcFlagStoreBuilderTest {
  @TempDir
  Path dir;

  @Test
  void defaultsAreTheDocumentedOnes() {
    try (GrpcFlagStore store = GrpcFlagStore.builder().target("localhost:7443").build()) {
      assertThat(store.name()).isEqualTo("grpc").isEqualTo(GrpcFlagStore.Builder.DEFAULT_NAME);
      assertThat(store.callTimeout()).isEqualTo(Duration.ofSeconds(1));
      assertThat(store.toString()).contains("tls=true").contains("maxInboundMessageSize=4194304")
          .contains("bearerToken=none").contains("ownsChannel=true").contains("target=localhost:7443");
    }
  }

  @Test
  void badValuesAreRefusedNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> GrpcFlagStore.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be positive, was PT0S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().callTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout must be positive");
    assertThatThrownBy(() -> GrpcFlagStore.builder().maxInboundMessageSize(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInboundMessageSize must be from 1024 to 268435456 bytes, was 100");
    assertThatThrownBy(() -> GrpcFlagStore.builder().keepAliveTime(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("keepAliveTime must be at least PT10S, was PT1S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().keepAliveTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepAliveTimeout must be positive");
    assertThatThrownBy(() -> GrpcFlagStore.builder().name(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must be");
    assertThatThrownBy(() -> GrpcFlagStore.builder().target("flags internal:443"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'flags internal:443'");
    assertThatThrownBy(() -> GrpcFlagStore.builder().target(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target must be");
    assertThatThrownBy(() -> GrpcFlagStore.builder().target(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("target");
  }

  @Test
  void watchSettingsHaveTheDocumentedDefaultsAndRefuseBadValues() {
    assertThat(GrpcFlagStore.Builder.DEFAULT_WATCH_IDLE_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    assertThat(GrpcFlagStore.Builder.DEFAULT_WATCH_INITIAL_BACKOFF).isEqualTo(Duration.ofMillis(100));
    assertThat(GrpcFlagStore.Builder.DEFAULT_WATCH_MAX_BACKOFF).isEqualTo(Duration.ofSeconds(5));
    try (GrpcFlagStore store = GrpcFlagStore.builder().target("localhost:7443").build()) {
      assertThat(store.toString()).contains("watchIdleTimeout=PT30S");
    }
    try (GrpcFlagStore store = GrpcFlagStore.builder().target("localhost:7443").watchIdleTimeout(Duration.ofMillis(100))
        .watchReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).build()) {
      assertThat(store.toString()).contains("watchIdleTimeout=PT0.1S");
    }

    assertThatThrownBy(() -> GrpcFlagStore.builder().watchIdleTimeout(Duration.ofMillis(99)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("watchIdleTimeout must be from PT0.1S to PT1H, was PT0.099S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchIdleTimeout(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was PT2H");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchIdleTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessage("watchIdleTimeout");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("watchReconnectBackoff must be from PT0.001S to PT10M, was PT0S to PT1S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchReconnectBackoff(Duration.ofMillis(1), Duration.ofMinutes(11)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was PT0.001S to PT11M");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("watchReconnectBackoff initial must not exceed max, was PT2S to PT1S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchIdleTimeout(Duration.ofSeconds(1))
        .watchIdleTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessage("watchIdleTimeout was already set to PT1S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().watchReconnectBackoff(Duration.ofMillis(1), Duration.ofSeconds(1))
        .watchReconnectBackoff(Duration.ofMillis(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("watchReconnectBackoff was already set to PT0.001S to PT1S");
  }

  @Test
  void aLongCallTimeoutIsLoweredToTheMaximum() {
    try (GrpcFlagStore store = GrpcFlagStore.builder().target("localhost:7443").callTimeout(Duration.ofHours(1))
        .build()) {
      assertThat(store.callTimeout()).isEqualTo(GrpcFlagStore.Builder.MAX_CALL_TIMEOUT);
    }
  }

  @Test
  void aTargetNoResolverAcceptsFailsTheBuild() {
    assertThatThrownBy(() -> GrpcFlagStore.builder().target("nosuchscheme://flags/x").plaintext().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target 'nosuchscheme://flags/x' is not a usable gRPC target");
  }

  @Test
  void userInfoInATargetIsNeverShown() {
    assertThatThrownBy(() -> GrpcFlagStore.builder().target("nosuchscheme://admin:pw@flags/x").plaintext().build())
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).contains("*****@");
          for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(t.toString()).doesNotContain("admin:pw");
          }
        });
  }

  @Test
  void settingAnOptionTwiceOrCombiningConflictingOnesIsAnIllegalState() throws Exception {
    assertThatThrownBy(() -> GrpcFlagStore.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("name was already set to a");
    assertThatThrownBy(() -> GrpcFlagStore.builder().callTimeout(Duration.ofSeconds(1)).callTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessage("callTimeout was already set to PT1S");
    assertThatThrownBy(() -> GrpcFlagStore.builder().maxInboundMessageSize(2048).maxInboundMessageSize(4096))
        .isInstanceOf(IllegalStateException.class).hasMessage("maxInboundMessageSize was already set to 2048");
    assertThatThrownBy(() -> GrpcFlagStore.builder().target("a:1").target("b:1"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("target was already set");
    assertThatThrownBy(() -> GrpcFlagStore.builder().plaintext().plaintext())
        .isInstanceOf(IllegalStateException.class).hasMessage("plaintext was already set");
    assertThatThrownBy(() -> GrpcFlagStore.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("either target(...) or channel(...)");
    assertThatThrownBy(() -> GrpcFlagStore.builder().target("a:1").keepAliveTimeout(Duration.ofSeconds(5)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("keepAliveTimeout needs keepAliveTime(...)");
    ManagedChannel channel = io.grpc.Grpc.newChannelBuilder("localhost:1", io.grpc.InsecureChannelCredentials.create())
        .build();
    try {
      assertThatThrownBy(() -> GrpcFlagStore.builder().channel(channel).target("a:1"))
          .isInstanceOf(IllegalStateException.class).hasMessage("target cannot be combined with channel(...)");
      assertThatThrownBy(() -> GrpcFlagStore.builder().target("a:1").channel(channel))
          .isInstanceOf(IllegalStateException.class).hasMessage("channel cannot be combined with target(...)");
      assertThatThrownBy(() -> GrpcFlagStore.builder().channel(channel).plaintext().build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("apply only to a channel built from target");
      assertThatThrownBy(() -> GrpcFlagStore.builder().channel(channel).keepAliveTime(Duration.ofMinutes(1)).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("apply only to a channel built from target");
    } finally {
      channel.shutdownNow();
    }
    Path pem = dir.resolve("ca.pem");
    Files.writeString(pem, "not a certificate", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> GrpcFlagStore.builder().trustCertificates(pem))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trustCertificates")
        .hasMessageContaining(pem.toString());
    assertThatThrownBy(() -> GrpcFlagStore.builder().trustCertificates(dir.resolve("missing.pem")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trustCertificates cannot read");
  }
}
