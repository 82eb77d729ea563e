package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replies no honest server sends: huge, endless, dripping, or none at all. Each ends transiently, in bounded time. */
class HostileServerTest {
  private static final long FIFTY_MB = 50L * 1024 * 1024;

  @StartStop
  final MockWebServer server = new MockWebServer();

  /** A body streamed from a generator: {"key":"f","value":"xxxx... never held in memory. */
  private static final class StreamedBody implements MockResponseBody {
    final long length;
    final boolean declareLength;
    final AtomicLong written = new AtomicLong();

    StreamedBody(long length, boolean declareLength) {
      this.length = length;
      this.declareLength = declareLength;
    }

    @Override
    public long getContentLength() {
      return declareLength ? length : -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] head = "{\"key\":\"f\",\"value\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      sink.write(head);
      written.addAndGet(head.length);
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'x');
      while (written.get() + chunk.length <= length) {
        sink.write(chunk); // throws once the client hangs up
        written.addAndGet(chunk.length);
      }
      sink.flush();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aFiftyMegabyteBodyFailsTransientlyAfterReadingAtMostTheCap(boolean declaredLength) {
    StreamedBody body = new StreamedBody(FIFTY_MB, declaredLength);
    server.enqueue(new MockResponse.Builder().code(200).body(body).build());
    try (RestFlagStore store = storeFor(server).callTimeout(Duration.ofSeconds(30)).build()) {
      long start = System.nanoTime();

      StoreException e = failure(store.getFlags("e", flags("f")));

      assertThat(e.isTransient()).isTrue();
      assertThat(e).hasMessageContaining("larger than maxResponseBytes (1048576 bytes)");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
    // The server could not push the whole body: the client stopped reading near the cap.
    assertThat(body.written.get()).isLessThan(FIFTY_MB);
  }

  @Test
  void anEndlessBodyIsCutAtTheCapNotHeldInMemory() {
    MockResponseBody endless = new MockResponseBody() {
      @Override
      public long getContentLength() {
        return -1;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("{\"flags\":[");
        while (true) {
          sink.writeUtf8("{\"key\":\"other\",\"value\":true},");
        }
      }
    };
    server.enqueue(new MockResponse.Builder().code(200).body(endless).build());
    try (RestFlagStore store = storeFor(server).maxResponseBytes(64 * 1024).build()) {
      StoreException e = failure(store.getFlags("e", flags("a", "b")));

      assertThat(e.isTransient()).isTrue();
      assertThat(e).hasMessageContaining("larger than maxResponseBytes (65536 bytes)");
    }
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersFailsAtTheCallTimeout() {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    try (RestFlagStore store = storeFor(server).callTimeout(Duration.ofMillis(200)).build()) {
      long start = System.nanoTime();

      StoreException e = failure(store.getFlags("e", flags("f")));

      assertThat(e.isTransient()).isTrue();
      assertThat(e).hasMessageContaining("no answer within the call timeout");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(150)).isLessThan(Duration.ofSeconds(10));
      assertThat(store.callTimeout()).isEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void aBodyThatDripsSlowerThanTheCallTimeoutFailsAtTheCallTimeout() {
    server.enqueue(new MockResponse.Builder().code(200)
        .body("{\"key\":\"f\",\"value\":\"" + "x".repeat(10_000) + "\"}")
        .throttleBody(10, 100, TimeUnit.MILLISECONDS)
        .build());
    try (RestFlagStore store = storeFor(server).callTimeout(Duration.ofMillis(300)).build()) {
      StoreException e = failure(store.getFlags("e", flags("f")));

      assertThat(e.isTransient()).isTrue();
      assertThat(e).hasMessageContaining("no answer within the call timeout");
    }
  }

  @Test
  void aConnectionDroppedMidBodyIsTransient() {
    server.enqueue(new MockResponse.Builder().code(200)
        .body("{\"key\":\"f\",\"value\":\"" + "x".repeat(100_000) + "\"}")
        .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
        .build());
    try (RestFlagStore store = storeFor(server).build()) {
      assertThat(failure(store.getFlags("e", flags("f"))).isTransient()).isTrue();
    }
  }

  @Test
  void closingTheStoreEndsAStalledCallTransientlyAndRefusesNewOnes() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    RestFlagStore store = storeFor(server).build();
    CompletableFuture<Map<String, FlagValue>> stalled = store.getFlags("e", flags("f")).toCompletableFuture();
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

    store.close();
    store.close();

    StoreException e = failure(stalled);
    assertThat(e.isTransient()).isTrue();
    assertThat(e).hasMessageContaining("closed");
    assertThat(failure(store.getFlags("e", flags("f")))).hasMessageContaining("is closed");
  }
}
