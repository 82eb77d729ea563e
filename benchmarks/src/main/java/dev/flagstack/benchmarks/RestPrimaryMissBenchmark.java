package dev.flagstack.benchmarks;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.store.rest.RestFlagStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A primary miss through {@link FlagClient} with a {@link RestFlagStore} primary, against the same OFREP
 * request made with a plain {@link OkHttpClient}, both to one real HTTP server on loopback in this JVM
 * ({@link OfrepServer}).
 *
 * <p>The client has no cache tier, so every read is a miss that goes to the primary; the entity changes
 * on every read as well. {@link BackendCalls} counts the server's requests per read (1.00 for a miss), and
 * tear-down fails unless the server answered exactly one evaluation per read, nothing else, and the
 * primary's breaker stayed closed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class RestPrimaryMissBenchmark {
  static final String FLAG = "new-checkout";
  static final int ENTITIES = 1024;
  private static final MediaType JSON = MediaType.get("application/json");

  private OfrepServer server;
  private RestFlagStore store;
  private FlagClient client;
  private OkHttpClient okHttp;
  private String url;
  private String[] entities;
  private int next;
  private long reads;
  private long evaluationsBefore;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    server = new OfrepServer();
    store = RestFlagStore.builder().baseUrl(server.baseUrl()).build();
    // Reads only: the store's change polling would add requests the set-up and tear-down checks count.
    client = FlagClient.builder().primary(store).watchChanges(false).build();
    // What a user of OkHttp alone would build: a client with a call timeout, as the store sets.
    okHttp = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    url = server.baseUrl() + OfrepServer.PATH + FLAG;
    entities = new String[ENTITIES];
    for (int i = 0; i < ENTITIES; i++) {
      entities[i] = String.format("tenant-%04d", i);
    }

    FlagDetail detail = client.getFlagDetail(entities[0], FLAG, FlagValue.FALSE);
    if (detail.source() != FlagSource.PRIMARY || !store.name().equals(detail.layer())
        || !FlagValue.TRUE.equals(detail.value())) {
      throw new IllegalStateException("a read is not a primary hit: " + detail);
    }
    if (!rawOkHttp().contains("\"value\":true") || !asyncOkHttp().contains("\"value\":true")) {
      throw new IllegalStateException("the raw OkHttp call did not read the flag");
    }
    if (server.evaluations() != 3 || server.unexpected() != 0) {
      throw new IllegalStateException("set-up made " + server.evaluations() + " evaluations and "
          + server.unexpected() + " other requests, expected 3 and 0");
    }
    evaluationsBefore = server.evaluations();
    reads = 0;
  }

  @TearDown(Level.Trial)
  public void checkEveryReadWasOneRequest() {
    long evaluations = server.evaluations() - evaluationsBefore;
    BreakerState breaker = client.primaryBreakerState();
    client.close();
    store.close();
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    server.close();
    if (evaluations != reads || server.unexpected() != 0) {
      throw new IllegalStateException(reads + " reads made " + evaluations + " evaluations and "
          + server.unexpected() + " other requests: not one request per read");
    }
    if (breaker != BreakerState.CLOSED) {
      throw new IllegalStateException("the primary's breaker is " + breaker + ": some reads failed");
    }
  }

  /** The baseline: one synchronous OkHttp POST of the same request, body read as a String. */
  @Benchmark
  public String rawOkHttp(BackendCalls calls) {
    long before = server.evaluations();
    String body = rawOkHttp();
    calls.count(before, server.evaluations());
    return body;
  }

  /**
   * For reference, not a layer: the same call enqueued on OkHttp's dispatcher and awaited, which is how
   * the store calls it (a store must never block the caller's thread on I/O).
   */
  @Benchmark
  public String asyncOkHttp(BackendCalls calls) {
    long before = server.evaluations();
    String body = asyncOkHttp();
    calls.count(before, server.evaluations());
    return body;
  }

  /** A primary miss: the client, its breaker and the REST store with its JSON reply parsing. */
  @Benchmark
  public FlagValue getFlag(BackendCalls calls) {
    long before = server.evaluations();
    FlagValue value = client.getFlag(nextEntity(), FLAG);
    reads++;
    calls.count(before, server.evaluations());
    return value;
  }

  private String rawOkHttp() {
    try (Response response = okHttp.newCall(request()).execute()) {
      reads++;
      return response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String asyncOkHttp() {
    CompletableFuture<String> body = new CompletableFuture<>();
    okHttp.newCall(request()).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          body.complete(response.body().string());
        } catch (IOException | RuntimeException e) {
          body.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        body.completeExceptionally(e);
      }
    });
    reads++;
    return body.join();
  }

  private Request request() {
    String json = "{\"context\":{\"targetingKey\":\"" + nextEntity() + "\"}}";
    return new Request.Builder().url(url).post(RequestBody.create(json, JSON)).build();
  }

  private String nextEntity() {
    String entity = entities[next];
    next = (next + 1) & (ENTITIES - 1);
    return entity;
  }
}
