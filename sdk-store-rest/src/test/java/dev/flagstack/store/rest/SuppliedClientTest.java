package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The application's OkHttpClient is shared (its interceptors and pool serve the store) and never closed. */
class SuppliedClientTest {
  @StartStop
  final MockWebServer server = new MockWebServer();

  @Test
  void callsGoThroughTheSuppliedClientWhichStaysOpenAfterClose() {
    AtomicInteger intercepted = new AtomicInteger();
    OkHttpClient app = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          intercepted.incrementAndGet();
          return chain.proceed(chain.request());
        })
        .build();
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":false}"));
    try {
      RestFlagStore store = storeFor(server).client(app).build();
      assertThat(answer(store.getFlags("e", flags("f")))).containsExactly(Map.entry("f", FlagValue.TRUE));
      assertThat(store.toString()).contains("ownsClient=false");
      store.close();

      assertThat(intercepted.get()).isEqualTo(1);
      assertThat(app.dispatcher().executorService().isShutdown()).isFalse();
      assertThat(app.connectionPool().connectionCount()).isEqualTo(1); // the store's call used and kept the app's pool
    } finally {
      app.dispatcher().executorService().shutdown();
      app.connectionPool().evictAll();
    }
  }

  @Test
  void theStoresCallTimeoutAppliesToCallsThroughTheSuppliedClient() {
    OkHttpClient app = new OkHttpClient();
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    try (RestFlagStore store = storeFor(server).client(app).callTimeout(Duration.ofMillis(200)).build()) {
      assertThat(failure(store.getFlags("e", flags("f")))).hasMessageContaining("call timeout");
      assertThat(app.callTimeoutMillis()).isZero(); // the application's client itself is unchanged
    } finally {
      app.dispatcher().executorService().shutdown();
      app.connectionPool().evictAll();
    }
  }

  @Test
  void closingTheStoreCancelsItsCallsOnASharedClientOnly() throws Exception {
    OkHttpClient app = new OkHttpClient();
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    try {
      RestFlagStore store = storeFor(server).client(app).build();
      CompletableFuture<Map<String, FlagValue>> stalled = store.getFlags("e", flags("f")).toCompletableFuture();
      assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

      store.close();

      assertThat(failure(stalled)).hasMessageContaining("closed");
      assertThat(app.dispatcher().executorService().isShutdown()).isFalse();
    } finally {
      app.dispatcher().executorService().shutdown();
      app.connectionPool().evictAll();
    }
  }

  @Test
  void moreCallsThanAllowedInFlightFailAtOnceTransiently() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    try (RestFlagStore store = storeFor(server).maxConcurrentCalls(2).build()) {
      store.getFlags("e1", flags("f"));
      store.getFlags("e2", flags("f"));

      assertThat(failure(store.getFlags("e3", flags("f")))).hasMessageContaining("busy: 2 calls already in flight");
    }
  }
}
