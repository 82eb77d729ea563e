package dev.flagstack.store.rest.internal;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes OFREP calls with {@code enqueue}: a batch of one flag is a single-flag call, a larger batch (or a
 * key that cannot be a path segment) one bulk call. Never blocks the caller; fails fast, transiently,
 * while the server's Retry-After pause lasts, when too many calls are in flight, or once closed.
 */
public final class OfrepCalls {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.rest.RestFlagStore");
  private static final MediaType JSON = MediaType.get("application/json");

  private final String prefix;
  private final OkHttpClient http;
  private final Endpoints endpoints;
  private final Headers headers;
  private final OfrepJson json;
  private final ReplyReader reader;
  private final RateLimitGate gate;
  private final int maxConcurrentCalls;
  private final AtomicInteger inFlightCount = new AtomicInteger();
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public OfrepCalls(String name, OkHttpClient http, Endpoints endpoints, Headers headers, OfrepJson json,
      ReplyReader reader, RateLimitGate gate, int maxConcurrentCalls) {
    this.prefix = "rest store '" + name + "' ";
    this.http = http;
    this.endpoints = endpoints;
    this.headers = headers.newBuilder().set("Accept", "application/json").build();
    this.json = json;
    this.reader = reader;
    this.gate = gate;
    this.maxConcurrentCalls = maxConcurrentCalls;
  }

  /** Evaluates {@code flags} for {@code entity}; the stage completes on an OkHttp dispatcher thread. */
  public CompletableFuture<Map<String, FlagValue>> evaluate(String entity, Set<String> flags) {
    if (closed) {
      return CompletableFuture.failedFuture(StoreException.transientFailure(prefix + "is closed", null));
    }
    Instant until = gate.closedUntil();
    if (until != null) {
      return CompletableFuture.failedFuture(StoreException.transientFailure(
          prefix + "is rate limited by the server (HTTP 429): no calls before " + until, null));
    }
    String only = flags.size() == 1 ? flags.iterator().next() : null;
    boolean single = only != null && Endpoints.fitsInPath(only);
    Request request;
    try {
      request = new Request.Builder()
          .url(single ? endpoints.single(only) : endpoints.bulk())
          .headers(headers)
          .post(RequestBody.create(json.request(entity), JSON))
          .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(StoreException.invalidRequest(prefix + "cannot send the request: "
          + e.getMessage()));
    }
    if (inFlightCount.incrementAndGet() > maxConcurrentCalls) {
      inFlightCount.decrementAndGet();
      return CompletableFuture.failedFuture(StoreException.transientFailure(
          prefix + "is busy: " + maxConcurrentCalls + " calls already in flight", null));
    }
    Call call = http.newCall(request);
    inFlight.add(call);
    CompletableFuture<Map<String, FlagValue>> result = new CompletableFuture<>();
    call.enqueue(new Exchange(result, single ? only : null, flags));
    if (closed) {
      call.cancel();
    }
    // A caller that gives up on the stage also ends the HTTP call.
    result.whenComplete((v, e) -> {
      if (result.isCancelled()) {
        call.cancel();
      }
    });
    return result;
  }

  /** Fails every later call and cancels those in flight (their stages fail transiently). */
  public void close() {
    closed = true;
    for (Call call : inFlight) {
      call.cancel();
    }
  }

  /** Calls started and not yet finished. */
  public int inFlight() {
    return inFlightCount.get();
  }

  private final class Exchange implements Callback {
    private final CompletableFuture<Map<String, FlagValue>> result;
    private final String singleFlag;
    private final Set<String> flags;

    Exchange(CompletableFuture<Map<String, FlagValue>> result, String singleFlag, Set<String> flags) {
      this.result = result;
      this.singleFlag = singleFlag;
      this.flags = flags;
    }

    @Override
    public void onFailure(Call call, IOException e) {
      finished(call);
      StoreException failure = StoreException.transientFailure(prefix + (closed ? "was closed" : "call failed: "
          + describe(e)), null);
      log.debug("{}", failure.getMessage());
      result.completeExceptionally(failure);
    }

    @Override
    public void onResponse(Call call, Response response) {
      Map<String, FlagValue> values = null;
      Throwable failure = null;
      try (response) {
        values = singleFlag != null ? reader.single(response, singleFlag) : reader.bulk(response, flags);
      } catch (StoreException e) {
        failure = e;
      } catch (BadReplyException e) {
        failure = StoreException.transientFailure(prefix + "sent a malformed reply (HTTP " + response.code()
            + "): " + e.getMessage(), null);
      } catch (IOException e) {
        failure = StoreException.transientFailure(prefix + (closed ? "was closed" : "failed reading the reply: "
            + describe(e)), null);
      } catch (RuntimeException e) {
        failure = StoreException.transientFailure(prefix + "could not read the reply: " + describe(e), null);
      } finally {
        finished(call);
      }
      if (failure != null) {
        log.debug("{}", failure.getMessage());
        result.completeExceptionally(failure);
      } else {
        result.complete(values);
      }
    }

    private void finished(Call call) {
      if (inFlight.remove(call)) {
        inFlightCount.decrementAndGet();
      }
    }
  }

  private static String describe(Exception e) {
    return Texts.describe(e);
  }
}
