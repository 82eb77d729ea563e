package dev.flagstack.benchmarks;

import java.util.List;

/**
 * One comparison in {@code RESULTS.md}: a benchmark class, the methods that time a layer (its other
 * methods are the {@code raw...} baseline and references), and the prose around its table.
 */
record Comparison(String group, String title, List<String> layerMethods, String what, String adds, String missing) {
  private static final String FAILED = "the benchmark was excluded or failed; see the output of `results.sh`.";

  static final List<Comparison> ALL = List.of(
      new Comparison("MemoryTierHitBenchmark", "Memory-tier hit vs raw Caffeine", List.of("getBoolean", "getFlag"),
          "`FlagClient.getBoolean`/`getFlag` served by `MemoryFlagCache` against `Cache.getIfPresent` on a Caffeine"
              + " cache built alike, keyed by a precomputed `entity + '\\0' + flag` String. `entities` x 10 flags,"
              + " all cached; one and two threads. Set-up checks every slot is a memory hit; tear-down that the"
              + " primary was never called.",
          "id validation, a composite-key probe (reused per thread) instead of a precomputed String key, and for"
              + " `getFlag` the throwing read's bookkeeping. Both sides pay Caffeine's `System.nanoTime()` read for"
              + " expiry (about 23 ns on the VM of the README's quiet run).",
          FAILED),
      new Comparison("RedisTierHitBenchmark", "Redis-tier hit vs a raw Lettuce GET", List.of("getFlag"),
          "`FlagClient.getFlag` served by `RedisFlagCache` (the only tier, so every read is a Redis round trip)"
              + " against a synchronous Lettuce `GET` of the same key on the same local `redis-server`."
              + " `asyncLettuceGet` is a reference: the same `GET` through Lettuce's async API, awaited. Set-up"
              + " checks every read is a Redis hit and every key holds the value; tear-down that Redis saw one"
              + " `GET`/`MGET` per read. Backend calls here are the *primary's* calls per read: a read that"
              + " outlasts the tier's 100 ms budget is a miss, which a busy machine can cause; 0.00 means all hits"
              + " (tear-down fails above 0.1%).",
          "the tier's breaker and 100 ms time budget (a timer per call), building the key, `MGET` instead of"
              + " `GET`, decoding the stored value into a `FlagValue`, a result map, and the hand-off of the reply"
              + " from Lettuce's event loop to the client's own executor before the reading thread is woken (the"
              + " raw call wakes it from the event loop directly).",
          FAILED),
      new Comparison("GrpcPrimaryMissBenchmark", "gRPC primary miss vs a raw generated stub call", List.of("getFlag"),
          "`FlagClient.getFlag` with `GrpcFlagStore` as primary and no cache tier (every read a miss, a new"
              + " entity each time) against the generated blocking stub's `GetFlags` (1 s deadline, as the store"
              + " sets) to the same Netty server in this JVM, which implements the generated `FlagServiceImplBase`."
              + " `futureStub` is a reference: the generated future stub's call, awaited. Tear-down checks one"
              + " server call per read and a closed breaker.",
          "the store's async call completes on gRPC's shared executor and wakes the caller, where the blocking"
              + " stub runs the reply on the caller's own thread (the `futureStub` row prices that hand-off);"
              + " then the client's own executor runs the rest of the load; reading the reply into `FlagValue`s,"
              + " the breaker, in-flight sharing, the call timeout and the last-known-good write.",
          "`sdk-store-grpc` was not on the classpath, or the benchmark failed; see the output of `results.sh`."),
      new Comparison("RestPrimaryMissBenchmark", "REST primary miss vs a raw OkHttp call", List.of("getFlag"),
          "`FlagClient.getFlag` with `RestFlagStore` as primary and no cache tier (every read a miss, a new"
              + " entity each time) against a synchronous OkHttp POST of the same OFREP request, body read as a"
              + " String, to the same JDK `HttpServer` in this JVM. `asyncOkHttp` is a reference: the same call"
              + " enqueued on OkHttp's dispatcher and awaited, which is how a store must call (it never blocks the"
              + " caller on I/O). Tear-down checks one request per read and a closed breaker.",
          "the hand-off to OkHttp's dispatcher thread and back (the `asyncOkHttp` row prices it alone), then to"
              + " the client's own executor, which runs the rest of the load; the request's JSON with escaping, Jackson parsing of the reply within the size limit, the breaker,"
              + " in-flight sharing, the call timeout and the last-known-good write.",
          FAILED),
      new Comparison("MongoSecondaryBenchmark", "MongoDB secondary vs a raw driver find",
          List.of("storeGetFlags", "breakerOpenPlainStore", "breakerOpenGetFlag"),
          "`storeGetFlags` is the store call itself, `store.getFlags(entity, Set.of(flag)).join()`."
              + " `breakerOpenPlainStore` and `breakerOpenGetFlag` are `FlagClient.getFlag` with the primary"
              + " failing and its breaker open, no cache tier, and a different (entity, flag) pair on every read,"
              + " so each read goes straight to the secondary and the client's short-lived cache of its answers"
              + " never answers. `breakerOpenGetFlag` has the `MongoFlagStore` itself, a `FlagDefinitionStore`:"
              + " the client reuses each flag's definition for 5 s (`secondaryCacheTtl`) and evaluates it per"
              + " entity. `breakerOpenPlainStore` has the same store behind a plain `FlagStore` view, so every read"
              + " is one query: the cost of the path itself. All against `collection.find(eq(\"_id\", flag)).first()`"
              + " on the same server. Backend calls are the `find` commands sent per read. Tear-down checks the"
              + " primary was never called, the breakers stayed open and no command failed.",
          "the store runs the query on its own executor thread (a hand-off there and back; the raw `find` runs on"
              + " the caller's thread), with a projection, batch size and limit, then parses the document into a"
              + " definition and evaluates it for the entity (a SHA-256 rollout bucket). Through the client, also"
              + " the open-breaker check, the secondary's concurrency permit, its short-lived cache (a lookup and a"
              + " write per read), the call timeout, the hand-off of the answer to the client's executor and the"
              + " last-known-good write. With the definitions cache (`breakerOpenGetFlag`) most reads make no query"
              + " at all, so that ratio says what the cache saves, not what the layer costs.",
          FAILED),
      new Comparison("VirtualThreadHitBenchmark", "Memory-tier hit on a new virtual thread per read",
          List.of("getBoolean"),
          "A memory-tier hit made on a new virtual thread per read (as a server running one virtual thread per"
              + " request does), against raw Caffeine made the same way. Both start and join a thread per read;"
              + " `emptyVirtualThread` is that cost alone. Runs on JDK 21+.",
          "whatever per-thread state the hit needs is created anew on every read, because every read is on a new"
              + " thread: the extra B/op over the baseline is that state. The thread's own start and join dwarf"
              + " the lookup, so the time ratio is close to 1 whatever the hit costs; compare the B/op.",
          "no JDK 21 or newer was found (set `JAVA21_HOME`)."));
}
