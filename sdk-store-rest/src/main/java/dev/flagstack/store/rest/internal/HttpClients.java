package dev.flagstack.store.rest.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/** The OkHttp client a store uses: its own, or one derived from the application's so pools are shared. */
public final class HttpClients {
  private HttpClients() {}

  /**
   * A client of the store's own: daemon dispatcher threads (OkHttp's are not), at most
   * {@code maxConcurrentCalls} calls to the server, the call timeout, and redirects not followed (a
   * redirected POST would become a GET, and an OFREP endpoint does not move).
   */
  public static OkHttpClient own(String name, Duration callTimeout, int maxConcurrentCalls) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "flagstack-rest-" + name + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(maxConcurrentCalls);
    dispatcher.setMaxRequestsPerHost(maxConcurrentCalls);
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .callTimeout(callTimeout)
        .followRedirects(false)
        .followSslRedirects(false)
        .build();
  }

  /** The application's client with the store's call timeout; it shares that client's pools and threads. */
  public static OkHttpClient derived(OkHttpClient client, Duration callTimeout) {
    return client.newBuilder().callTimeout(callTimeout).build();
  }

  /** Releases what {@link #own} created: the dispatcher's threads and the pooled connections. */
  public static void release(OkHttpClient own) {
    own.dispatcher().executorService().shutdown();
    own.connectionPool().evictAll();
  }
}
