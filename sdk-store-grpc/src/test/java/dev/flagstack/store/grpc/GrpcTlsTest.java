package dev.flagstack.store.grpc;

import static dev.flagstack.store.grpc.GrpcTestSupport.await;
import static dev.flagstack.store.grpc.GrpcTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TLS, the default: a real Netty server with a certificate from a test CA. */
class GrpcTlsTest {
  private FlagTestServer server;

  @BeforeEach
  void start() throws Exception {
    server = FlagTestServer.startTls().put("f", FlagValue.of("secure"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static Path testCa() throws URISyntaxException {
    return Path.of(GrpcTlsTest.class.getClassLoader().getResource("tls/ca.pem").toURI());
  }

  @Test
  void aServerWhoseCaIsTrustedAnswersOverTls() throws Exception {
    for (String host : new String[] {"localhost", "127.0.0.1"}) {
      try (GrpcFlagStore store = GrpcFlagStore.builder().target(host + ":" + server.port()).trustCertificates(testCa())
          .callTimeout(GrpcFlagStoreTest.SLOW_MACHINE).build()) {
        assertThat(store.toString()).contains("tls=true");
        assertThat(await(store.getFlags("e", Set.of("f")))).containsEntry("f", FlagValue.of("secure"));
      }
    }
  }

  @Test
  void aCertificateTheJvmDoesNotTrustFailsTheCall() throws Exception {
    try (GrpcFlagStore store = GrpcFlagStore.builder().target(server.target())
        .callTimeout(GrpcFlagStoreTest.SLOW_MACHINE).build()) {
      StoreException e = failure(store.getFlags("e", Set.of("f")));

      assertThat(e.isTransient()).isTrue();
      assertThat(e.getMessage()).contains("UNAVAILABLE");
      assertThat(server.calls()).isZero();
    }
  }

  @Test
  void plaintextToATlsServerFailsTheCall() throws Exception {
    try (GrpcFlagStore store = GrpcFlagStore.builder().target(server.target()).plaintext()
        .callTimeout(GrpcFlagStoreTest.SLOW_MACHINE).build()) {
      StoreException e = failure(store.getFlags("e", Set.of("f")));

      assertThat(e.isTransient()).isTrue();
      assertThat(server.calls()).isZero();
    }
  }
}
