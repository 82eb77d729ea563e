package dev.flagstack.store.rest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * An OFREP server over a flag set that tests change: bulk replies carry a real ETag (the set's version),
 * a request whose {@code If-None-Match} names the current one gets a 304, and any edit makes a new version.
 * Polls can be told to fail. Every request is recorded.
 */
final class FlagSetServer extends Dispatcher {
  static final String BULK_PATH = "/ofrep/v1/evaluate/flags";

  /** One request as the server saw it, and the status it got. */
  record Seen(String method, String path, String ifNoneMatch, String targetingKey, String authorization,
      String apiKey, int status) {}

  private final Map<String, String> flags = new TreeMap<>();
  private final Deque<MockResponse> scripted = new ArrayDeque<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private int version = 1;

  /** Sets flag {@code key}'s evaluation fields, e.g. {@code "value":true,"reason":"STATIC"}: a new version. */
  synchronized FlagSetServer put(String key, String fields) {
    flags.put(key, "{\"key\":\"" + key + "\"," + fields + "}");
    version++;
    return this;
  }

  synchronized void remove(String key) {
    flags.remove(key);
    version++;
  }

  /** A new version whose per-flag results are unchanged (only the set-level metadata differs). */
  synchronized void touch() {
    version++;
  }

  synchronized String etag() {
    return "\"v" + version + "\"";
  }

  /** The next bulk requests get these replies, in order, instead of the flag set. */
  synchronized void scriptNext(MockResponse... replies) {
    scripted.addAll(List.of(replies));
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Bulk requests seen so far. */
  int polls() {
    return (int) seen.stream().filter(s -> s.path().equals(BULK_PATH)).count();
  }

  int notModified() {
    return (int) seen.stream().filter(s -> s.status() == 304).count();
  }

  @Override
  public synchronized MockResponse dispatch(RecordedRequest request) {
    MockResponse reply = reply(request);
    String path = request.getUrl().encodedPath();
    seen.add(new Seen(request.getMethod(), path, request.getHeaders().get("If-None-Match"),
        Ofrep.targetingKey(request), request.getHeaders().get("Authorization"),
        request.getHeaders().get("X-API-Key"), reply.getCode()));
    return reply;
  }

  private MockResponse reply(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (path.equals(BULK_PATH)) {
      if (!scripted.isEmpty()) {
        return scripted.poll();
      }
      String tag = etag();
      if (tag.equals(request.getHeaders().get("If-None-Match"))) {
        return new MockResponse.Builder().code(304).setHeader("ETag", tag).build();
      }
      String body = "{\"flags\":[" + String.join(",", flags.values()) + "],\"metadata\":{\"version\":" + version
          + "}}";
      return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
          .setHeader("ETag", tag).body(body).build();
    }
    String key = path.substring(BULK_PATH.length() + 1);
    String item = flags.get(key);
    return item != null ? Ofrep.json(200, item)
        : Ofrep.json(404, "{\"key\":\"" + key + "\",\"errorCode\":\"FLAG_NOT_FOUND\"}");
  }

  /** Waits up to 20 s (a shared, slow machine) for {@code condition}, checking every 5 ms. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
