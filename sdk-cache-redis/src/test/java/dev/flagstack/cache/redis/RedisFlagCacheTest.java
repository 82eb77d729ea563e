package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.get;
import static dev.flagstack.cache.redis.TestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.TestSupport.RecordingInvalidator;
import dev.flagstack.cache.redis.internal.InvalidationMessage;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tier against a real Redis server (environment, container or local process). */
class RedisFlagCacheTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + "-" + System.nanoTime();
  }

  /** A tier with a roomy budget: these tests check behaviour, and a loaded machine can pass 100 ms. */
  private RedisFlagCache cache(String prefix) {
    return cache(RedisFlagCache.builder().prefix(prefix).timeBudget(Duration.ofSeconds(2)));
  }

  private RedisFlagCache cache(RedisFlagCache.Builder builder) {
    RedisFlagCache cache = builder.uri(redis.uri()).build();
    toClose.add(cache);
    awaitConnected(cache);
    return cache;
  }

  @Test
  void everyFlagTypeRoundTrips() {
    RedisFlagCache cache = cache(freshPrefix());
    Map<String, FlagValue> values = new LinkedHashMap<>();
    values.put("bool-true", FlagValue.TRUE);
    values.put("bool-false", FlagValue.FALSE);
    values.put("string", FlagValue.of("héllo \"world\" 🚀"));
    values.put("string-that-looks-like-a-number", FlagValue.of("42"));
    values.put("long", FlagValue.of(Long.MIN_VALUE));
    values.put("double", FlagValue.of(2.0));
    values.put("double-tiny", FlagValue.of(1.0E-300));
    values.put("object", FlagValue.object(Map.of("a", 1L, "b", List.of(true, "x", 2.5), "c", Map.of())));
    values.put("array", FlagValue.array(List.of(1L, "two", Map.of("three", 3.0))));
    put(cache, "tenant-1", values);

    Map<String, FlagValue> got = get(cache, "tenant-1", values.keySet().toArray(new String[0]));

    assertThat(got).isEqualTo(values);
    assertThat(got.get("double").type()).isEqualTo(dev.flagstack.FlagType.DOUBLE);
    assertThat(got.get("string-that-looks-like-a-number").type()).isEqualTo(dev.flagstack.FlagType.STRING);
  }

  @Test
  void missingFlagsAreAbsentFromTheResult() {
    RedisFlagCache cache = cache(freshPrefix());
    put(cache, "e", Map.of("present", FlagValue.of(7L)));

    assertThat(get(cache, "e", "present", "absent")).containsExactly(Map.entry("present", FlagValue.of(7L)));
    assertThat(get(cache, "other-entity", "present")).isEmpty();
  }

  @Test
  void aBatchOf500FlagsIsOneMgetAndOnePipelineOfSets() {
    // 500 SETs can take longer than the default 100 ms on a loaded build machine; this test counts commands.
    RedisFlagCache cache = cache(RedisFlagCache.builder().prefix(freshPrefix()).timeBudget(Duration.ofSeconds(2)));
    Map<String, FlagValue> values = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      values.put("flag-" + i, FlagValue.of(i));
    }
    redis.resetStats();

    put(cache, "big-tenant", values);
    Map<String, FlagValue> got = get(cache, "big-tenant", values.keySet().toArray(new String[0]));

    assertThat(got).hasSize(500).isEqualTo(values);
    assertThat(redis.commandCalls("mget")).isEqualTo(1);
    assertThat(redis.commandCalls("get")).isZero();
    assertThat(redis.commandCalls("set")).isEqualTo(500);
  }

  @Test
  void pairsThatWouldShareANaiveKeyNeverCollide() {
    RedisFlagCache cache = cache(freshPrefix());
    String longA = "a".repeat(5_000);
    String longB = "a".repeat(4_999) + "b";
    put(cache, "a:b", Map.of("c", FlagValue.of("a:b + c")));
    put(cache, "a", Map.of("b:c", FlagValue.of("a + b:c")));
    put(cache, "a}:1:b", Map.of("c", FlagValue.of("brace entity")));
    put(cache, "a", Map.of("b}:1:c", FlagValue.of("brace flag")));
    put(cache, "ünï", Map.of("cødé", FlagValue.of("nfc")));
    put(cache, "u\u0308ni\u0308", Map.of("cødé", FlagValue.of("nfd")));
    put(cache, "emoji-🚀", Map.of("flag-🚀", FlagValue.of("emoji")));
    put(cache, longA, Map.of(longA, FlagValue.of("long a")));
    put(cache, longB, Map.of(longA, FlagValue.of("long b")));
    put(cache, longA, Map.of(longB, FlagValue.of("long a, flag b")));

    assertThat(get(cache, "a:b", "c")).containsEntry("c", FlagValue.of("a:b + c"));
    assertThat(get(cache, "a", "b:c")).containsEntry("b:c", FlagValue.of("a + b:c"));
    assertThat(get(cache, "a}:1:b", "c")).containsEntry("c", FlagValue.of("brace entity"));
    assertThat(get(cache, "a", "b}:1:c")).containsEntry("b}:1:c", FlagValue.of("brace flag"));
    assertThat(get(cache, "ünï", "cødé")).containsEntry("cødé", FlagValue.of("nfc"));
    assertThat(get(cache, "u\u0308ni\u0308", "cødé")).containsEntry("cødé", FlagValue.of("nfd"));
    assertThat(get(cache, "emoji-🚀", "flag-🚀")).containsEntry("flag-🚀", FlagValue.of("emoji"));
    assertThat(get(cache, longA, longA)).containsEntry(longA, FlagValue.of("long a"));
    assertThat(get(cache, longB, longA)).containsEntry(longA, FlagValue.of("long b"));
    assertThat(get(cache, longA, longB)).containsEntry(longB, FlagValue.of("long a, flag b"));
  }

  @Test
  void longIdsAreHashedSoEveryKeyStaysUnder512Bytes() {
    String prefix = freshPrefix();
    RedisFlagCache cache = cache(prefix);
    String huge = "€".repeat(3_000);
    put(cache, huge, Map.of(huge, FlagValue.TRUE, "short", FlagValue.FALSE));

    @SuppressWarnings("unchecked")
    List<String> stored = (List<String>) redis.command("KEYS", prefix + ":*");
    assertThat(stored).hasSize(2);
    for (String key : stored) {
      assertThat(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(512);
      assertThat(key).contains("{#");
    }
    assertThat(stored).anyMatch(k -> k.endsWith("}:5:short"));
    assertThat(get(cache, huge, huge, "short")).containsEntry(huge, FlagValue.TRUE).containsEntry("short", FlagValue.FALSE);
  }

  @Test
  void entriesExpireAfterTheTtl() {
    String prefix = freshPrefix();
    RedisFlagCache cache = cache(RedisFlagCache.builder().prefix(prefix).ttl(Duration.ofMillis(300)));
    put(cache, "e", Map.of("f", FlagValue.TRUE));
    String key = new KeyCodec(prefix).key("e", "f");

    long pttl = (Long) redis.command("PTTL", key);
    assertThat(pttl).isBetween(1L, 300L);
    assertThat(get(cache, "e", "f")).containsKey("f");
    await("the entry expired", Duration.ofSeconds(5), () -> get(cache, "e", "f").isEmpty());
  }

  @Test
  void theDefaultTtlIsFiveMinutes() {
    String prefix = freshPrefix();
    RedisFlagCache cache = cache(prefix);
    put(cache, "e", Map.of("f", FlagValue.TRUE));

    long pttl = (Long) redis.command("PTTL", new KeyCodec(prefix).key("e", "f"));
    assertThat(RedisFlagCache.Builder.DEFAULT_TTL).isEqualTo(Duration.ofSeconds(20));
    assertThat(pttl).isBetween(Duration.ofSeconds(10).toMillis(), Duration.ofSeconds(20).toMillis());
  }

  @Test
  void aMalformedStoredValueIsAMissNeverAWrongValue() {
    String prefix = freshPrefix();
    RedisFlagCache cache = cache(prefix);
    KeyCodec keys = new KeyCodec(prefix);
    Map<String, String> garbage = new LinkedHashMap<>();
    garbage.put("no-format", "true");
    garbage.put("unknown-tag", "1|X|true");
    garbage.put("tag-mismatch", "1|L|\"a string\"");
    garbage.put("long-tagged-double", "1|L|1.5");
    garbage.put("bad-json", "1|J|{\"a\":");
    garbage.put("json-null", "1|J|null");
    garbage.put("future-version", "2|B|true");
    garbage.put("empty", "");
    for (Map.Entry<String, String> e : garbage.entrySet()) {
      redis.command("SET", keys.key("e", e.getKey()), e.getValue());
    }
    put(cache, "e", Map.of("good", FlagValue.of(1L)));

    Set<String> asked = new HashSet<>(garbage.keySet());
    asked.add("good");
    assertThat(cache.getAll("e", asked).toCompletableFuture().join())
        .containsExactly(Map.entry("good", FlagValue.of(1L)));
  }

  @Test
  void invalidateDeletesOneEntryAndInvalidateAllOnlyThisPrefix() {
    String prefix = freshPrefix();
    RedisFlagCache cache = cache(prefix);
    RedisFlagCache neighbour = cache(prefix + "-other");
    put(cache, "e", Map.of("f1", FlagValue.TRUE, "f2", FlagValue.TRUE));
    put(cache, "e2", Map.of("f1", FlagValue.TRUE));
    put(neighbour, "e", Map.of("f1", FlagValue.FALSE));

    cache.invalidate("e", "f1");
    await("e/f1 is gone", Duration.ofSeconds(5), () -> !get(cache, "e", "f1", "f2").containsKey("f1"));
    assertThat(get(cache, "e", "f2")).containsKey("f2");

    cache.invalidateAll();
    await("every key of the prefix is gone", Duration.ofSeconds(5),
        () -> get(cache, "e", "f1", "f2").isEmpty() && get(cache, "e2", "f1").isEmpty());
    assertThat(get(neighbour, "e", "f1")).containsEntry("f1", FlagValue.FALSE);
  }

  @Test
  void aPublishedInvalidationEvictsTheNamedFlagFromTheTiersAboveOfEveryInstance() {
    String prefix = freshPrefix();
    String channel = prefix + ":invalidations";
    RedisFlagCache writer = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    RedisFlagCache reader = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    RecordingInvalidator writerAbove = new RecordingInvalidator();
    MemoryFlagCache readerMemory = MemoryFlagCache.builder().build();
    RecordingInvalidator readerAbove = new RecordingInvalidator(readerMemory);
    writer.bind(writerAbove);
    reader.bind(readerAbove);
    awaitSubscribed(channel, 2);
    // A subscription flushes the tiers above when Redis confirms it, before any message on that connection:
    // once a probe message has arrived, that flush is behind us and only messages can evict from now on.
    redis.command("PUBLISH", channel, InvalidationMessage.one("probe", "p"));
    await("the reader received the probe", Duration.ofSeconds(5), () -> readerAbove.events.contains("probe/p"));
    long flushesBefore = readerAbove.flushes();
    readerMemory.put("tenant:1", "flag|x", FlagValue.TRUE);
    readerMemory.put("tenant:1", "other", FlagValue.TRUE);
    readerMemory.put("tenant:2", "flag|x", FlagValue.TRUE);
    put(writer, "tenant:1", Map.of("flag|x", FlagValue.TRUE));

    writer.publishInvalidation("tenant:1", "flag|x").toCompletableFuture().join();

    await("the reader's memory tier dropped tenant:1/flag|x", Duration.ofSeconds(5),
        () -> readerMemory.getIfPresent("tenant:1", "flag|x") == null);
    assertThat(readerMemory.getIfPresent("tenant:1", "other")).as("another flag of the entity").isEqualTo(FlagValue.TRUE);
    assertThat(readerMemory.getIfPresent("tenant:2", "flag|x")).as("the flag of another entity").isEqualTo(FlagValue.TRUE);
    assertThat(readerAbove.flushes()).as("no flush explains the eviction").isEqualTo(flushesBefore);
    await("the writer evicted it too", Duration.ofSeconds(5),
        () -> writerAbove.events.contains("tenant:1/flag|x"));
    assertThat(get(reader, "tenant:1", "flag|x")).as("deleted from Redis too").isEmpty();

    writer.publishInvalidateAll().toCompletableFuture().join();
    await("the reader flushed everything on the message", Duration.ofSeconds(5), () -> readerMemory.size() == 0);
    assertThat(readerAbove.flushes()).isEqualTo(flushesBefore + 1);
  }

  @Test
  void aWriteThatLandsJustAfterAnInvalidationIsDeletedAgainWithinTheRepeatDelay() {
    String prefix = freshPrefix();
    String channel = prefix + ":invalidations";
    Duration repeat = Duration.ofMillis(300);
    RedisFlagCache writer = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel)
        .invalidationRepeatDelay(repeat));
    // Another process, whose load read the old value before the change and writes it back late.
    RedisFlagCache slowLoader = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    RecordingInvalidator loaderAbove = new RecordingInvalidator();
    slowLoader.bind(loaderAbove);
    awaitSubscribed(channel, 2);

    for (int attempt = 0; attempt < 5; attempt++) {
      String flag = "checkout-" + attempt;
      put(writer, "t", Map.of(flag, FlagValue.of("v1")));
      long start = System.nanoTime();
      writer.publishInvalidation("t", flag).toCompletableFuture().join();
      put(slowLoader, "t", Map.of(flag, FlagValue.of("v1")));
      long lateWriteDone = System.nanoTime() - start;
      if (lateWriteDone > repeat.toNanos() / 2) {
        continue; // too slow a machine to be sure the late write landed before the repeat; stage it again
      }
      // The late write completed before the repeat was even due: without the repeat it would live its whole TTL.
      await("the late write was deleted again", Duration.ofSeconds(5), () -> get(writer, "t", flag).isEmpty());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(repeat.plusSeconds(4));
      await("the repeat was published to the tiers above", Duration.ofSeconds(5),
          () -> loaderAbove.events.stream().filter(("t/" + flag)::equals).count() == 2);
      return;
    }
    throw new AssertionError("could not stage a write landing within " + repeat.dividedBy(2) + " in 5 attempts");
  }

  @Test
  void garbageOnTheChannelIsIgnored() {
    String prefix = freshPrefix();
    String channel = prefix + ":invalidations";
    RedisFlagCache reader = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    RecordingInvalidator above = new RecordingInvalidator();
    reader.bind(above);
    awaitSubscribed(channel, 1);
    for (String junk : List.of("", "hello", "1|", "1|F|", "1|F|x:ab", "1|F|3:ab", "1|F|2:ab", "1|F|-1:ab",
        "1|F|99999999999:a", "1|F|2147483647:ab", "1|**", "{\"json\":true}")) {
      redis.command("PUBLISH", channel, junk);
    }
    redis.command("PUBLISH", channel, "1|F|2:abc");

    await("the valid message arrived", Duration.ofSeconds(5), () -> above.events.contains("ab/c"));
    assertThat(above.events).containsExactly("ab/c");
  }

  @Test
  void clientsShareFlagChangesThroughPubSub() {
    String prefix = freshPrefix();
    String channel = prefix + ":invalidations";
    InMemoryFlagStore store = new InMemoryFlagStore("primary").put("checkout", FlagValue.of("v1"));
    RedisFlagCache redisA = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    RedisFlagCache redisB = cache(RedisFlagCache.builder().prefix(prefix).invalidationChannel(channel));
    FlagClient clientA = FlagClient.builder()
        .addCache(MemoryFlagCache.builder().ttl(Duration.ofMinutes(10)).build()).addCache(redisA).primary(store).build();
    FlagClient clientB = FlagClient.builder()
        .addCache(MemoryFlagCache.builder().ttl(Duration.ofMinutes(10)).build()).addCache(redisB).primary(store).build();
    toClose.add(clientA);
    toClose.add(clientB);
    awaitSubscribed(channel, 2);

    assertThat(clientA.getString("t", "checkout", "default")).isEqualTo("v1");
    await("v1 reached Redis", Duration.ofSeconds(5), () -> !get(redisA, "t", "checkout").isEmpty());
    store.put("checkout", FlagValue.of("v2"));
    assertThat(clientA.getString("t", "checkout", "default")).as("served from memory").isEqualTo("v1");

    redisB.publishInvalidation("t", "checkout").toCompletableFuture().join();

    await("client A sees v2", Duration.ofSeconds(5), () -> "v2".equals(clientA.getString("t", "checkout", "x")));
  }

  @Test
  void aFlagClientReadsThroughTheRedisTier() {
    RedisFlagCache cache = cache(freshPrefix());
    InMemoryFlagStore store = new InMemoryFlagStore("primary").put("f", FlagValue.of(3L));
    FlagClient client = FlagClient.builder().addCache(cache).primary(store).build();
    toClose.add(client);

    assertThat(client.getFlagDetail("e", "f", FlagValue.of(0L)).source()).isEqualTo(FlagSource.PRIMARY);
    await("the value reached Redis", Duration.ofSeconds(5), () -> !get(cache, "e", "f").isEmpty());
    FlagDetail second = client.getFlagDetail("e", "f", FlagValue.of(0L));

    assertThat(second.source()).isEqualTo(FlagSource.CACHE);
    assertThat(second.layer()).isEqualTo("redis");
    assertThat(second.value()).isEqualTo(FlagValue.of(3L));
  }

  @Test
  void closeIsIdempotentAndLaterLookupsFailFast() throws Exception {
    RedisFlagCache cache = cache(freshPrefix());
    cache.close();
    cache.close();

    assertThat(TestSupport.millisToFail(cache, "e", "f")).isLessThan(100);
    assertThat(cache.toString()).contains("closed");
  }

  @Test
  void aSuppliedClientIsNotShutDownOnClose() {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try {
      RedisFlagCache cache = RedisFlagCache.builder().client(client).prefix(freshPrefix()).build();
      awaitConnected(cache);
      assertThat(TestSupport.roundTripWorks(cache, "e", "f")).isTrue();
      cache.close();

      try (var connection = client.connect()) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }

  private static void awaitSubscribed(String channel, long subscribers) {
    await(subscribers + " subscribers on " + channel, Duration.ofSeconds(10), () -> {
      @SuppressWarnings("unchecked")
      List<Object> reply = (List<Object>) redis.command("PUBSUB", "NUMSUB", channel);
      return ((Long) reply.get(1)) >= subscribers;
    });
  }
}
