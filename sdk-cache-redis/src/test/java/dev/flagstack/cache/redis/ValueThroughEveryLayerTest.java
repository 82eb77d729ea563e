package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of value, with its edge cases, through a whole FlagClient with memory and Redis tiers: read
 * from the primary, then from memory, then (by a second client whose memory is empty and whose primary
 * is down) from Redis. All three must be equal and of the same type. Then a deleted flag: after an
 * invalidation no layer brings it back.
 */
class ValueThroughEveryLayerTest {
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

  static Stream<FlagValue> values() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("z", 1L);
    object.put("a.b", 1.0);
    object.put("$set", -0.0);
    object.put("ünï 🚀", List.of());
    object.put("big", Long.MIN_VALUE);
    object.put("huge", 1e308);
    object.put("tiny", 5e-324);
    object.put("nul", "a\u0000b");
    object.put("", Map.of());
    Object nested = 1.0;
    for (int i = 0; i < 64; i++) {
      nested = List.of(nested);
    }
    return Stream.of(FlagValue.of(""), FlagValue.of("nul\u0000in"), FlagValue.of("sep\u2028\u2029|1|S|"),
        FlagValue.of("\ud83d\ude00 astral"), FlagValue.of("\ud83d\ude00".repeat(1 << 19)),
        FlagValue.of("\u0000".repeat(1 << 20)), FlagValue.of(Long.MIN_VALUE), FlagValue.of(Long.MAX_VALUE),
        FlagValue.of(1.0), FlagValue.of(-0.0), FlagValue.of(5e-324), FlagValue.of(1e308), FlagValue.of(1.0E10),
        FlagValue.TRUE, FlagValue.FALSE, FlagValue.object(object), FlagValue.object(Map.of()),
        FlagValue.array(List.of()), FlagValue.array((List<?>) nested));
  }

  private RedisFlagCache redis(String prefix) {
    RedisFlagCache cache = RedisFlagCache.builder().uri(redis.uri()).prefix(prefix)
        .invalidationChannel(prefix + ":inv").build();
    toClose.add(cache);
    awaitConnected(cache);
    return cache;
  }

  private FlagClient client(RedisFlagCache tier, InMemoryFlagStore primary) {
    FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().ttl(Duration.ofMinutes(10)).build())
        .addCache(tier).primary(primary).build();
    toClose.add(client);
    return client;
  }

  @ParameterizedTest
  @MethodSource("values")
  void primaryMemoryAndRedisServeTheSameValueOfTheSameType(FlagValue value) {
    String prefix = "v" + PREFIXES.incrementAndGet() + "-" + System.nanoTime();
    RedisFlagCache tierA = redis(prefix);
    FlagClient a = client(tierA, new InMemoryFlagStore("api").put("f", value));
    FlagDetail fromPrimary = a.getFlagDetail("e", "f", value);
    FlagDetail fromMemory = a.getFlagDetail("e", "f", value);
    await("the value reached Redis", Duration.ofSeconds(10), () -> !get(tierA, "e", "f").isEmpty());
    FlagClient b = client(redis(prefix), new InMemoryFlagStore("api").failTransiently());
    FlagDetail fromRedis = b.getFlagDetail("e", "f", value);

    assertThat(fromPrimary.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(fromMemory.source()).isEqualTo(FlagSource.CACHE);
    assertThat(fromMemory.layer()).isEqualTo("memory");
    assertThat(fromRedis.source()).isEqualTo(FlagSource.CACHE);
    assertThat(fromRedis.layer()).isEqualTo("redis");
    for (FlagDetail d : List.of(fromPrimary, fromMemory, fromRedis)) {
      assertThat(d.value()).isEqualTo(value);
      assertThat(d.value().type()).isEqualTo(value.type());
    }
  }

  @Test
  void aFlagDeletedAtThePrimaryIsNotBroughtBackByRedisOrLastKnownGoodAfterAnInvalidation() {
    String prefix = "d" + PREFIXES.incrementAndGet() + "-" + System.nanoTime();
    RedisFlagCache tierA = redis(prefix);
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("gone", FlagValue.of("old"));
    FlagClient a = client(tierA, primary);
    assertThat(a.getString("e", "gone", "default")).isEqualTo("old");
    await("the value reached Redis", Duration.ofSeconds(10), () -> !get(tierA, "e", "gone").isEmpty());

    primary.remove("gone");
    a.invalidate("e", "gone");

    FlagDetail after = a.getFlagDetail("e", "gone", FlagValue.of("default"));
    assertThat(after.value()).isEqualTo(FlagValue.of("default"));
    assertThat(get(tierA, "e", "gone")).isEmpty();
    primary.failTransiently();
    assertThat(a.getString("e", "gone", "default")).as("no last-known-good after a not-found").isEqualTo("default");
    FlagClient b = client(redis(prefix), new InMemoryFlagStore("api").failTransiently());
    assertThat(b.getString("e", "gone", "default")).as("nothing left in Redis").isEqualTo("default");
  }
}
