package dev.flagstack.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.internal.InvalidationMessage;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.cache.redis.internal.ValueCodec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Builder validation and the key, value and message formats, without a server. */
class RedisFlagCacheBuilderTest {
  @Test
  void badValuesAreIllegalArgumentsNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> RedisFlagCache.builder().ttl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> RedisFlagCache.builder().timeBudget(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeBudget");
    assertThatThrownBy(() -> RedisFlagCache.builder().connectTimeout(Duration.ofSeconds(30)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout").hasMessageContaining("PT30S");
    assertThatThrownBy(() -> RedisFlagCache.builder().requestQueueSize(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestQueueSize").hasMessageContaining("3");
    assertThatThrownBy(() -> RedisFlagCache.builder().prefix("has{brace}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix").hasMessageContaining("has{brace}");
    assertThatThrownBy(() -> RedisFlagCache.builder().prefix(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
    assertThatThrownBy(() -> RedisFlagCache.builder().invalidationChannel(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalidationChannel");
    assertThatThrownBy(() -> RedisFlagCache.builder().uri("http://example:80"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme http");
    assertThatThrownBy(() -> RedisFlagCache.builder().invalidationRepeatDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalidationRepeatDelay must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> RedisFlagCache.builder().invalidationRepeatDelay(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalidationRepeatDelay must be at most 1 minute, was PT2M");
    assertThatThrownBy(() -> RedisFlagCache.builder().clockSkewAllowance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clockSkewAllowance must be at least 0 ms, was PT-0.001S");
    assertThatThrownBy(() -> RedisFlagCache.builder().clockSkewAllowance(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clockSkewAllowance must be at most 1 minute, was PT1M1S");
    assertThatThrownBy(() -> RedisFlagCache.builder().clockSkewAllowance(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("clockSkewAllowance must not be null");
    assertThatThrownBy(() -> RedisFlagCache.builder().clockSkewAllowance(Duration.ZERO).clockSkewAllowance(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clockSkewAllowance was already set");
  }

  @Test
  void settingAnOptionTwiceOrConflictingOptionsAreIllegalStates() {
    assertThatThrownBy(() -> RedisFlagCache.builder().prefix("a").prefix("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("prefix was already set to a");
    assertThatThrownBy(() -> RedisFlagCache.builder().ttl(Duration.ofSeconds(1)).ttl(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ttl was already set");
    assertThatThrownBy(() -> RedisFlagCache.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("uri");
    assertThatThrownBy(() -> RedisFlagCache.builder().uris("redis://a:1", "redis://b:2").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cluster(true)");
    assertThatThrownBy(() -> RedisFlagCache.builder().uri("redis-sentinel://s:26379#m").cluster(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("redis-sentinel");
    RedisClient client = RedisClient.create();
    RedisClusterClient clusterClient = RedisClusterClient.create("redis://127.0.0.1:1");
    try {
      assertThatThrownBy(() -> RedisFlagCache.builder().client(client).cluster(true).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("RedisClusterClient");
      assertThatThrownBy(() -> RedisFlagCache.builder().client(clusterClient).uri("redis://a:1").build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("own URIs");
      assertThatThrownBy(() -> RedisFlagCache.builder().client(client).client(clusterClient))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("client was already set");
    } finally {
      client.shutdown();
      clusterClient.shutdown();
    }
  }

  @Test
  void defaultsAreNamedConstants() {
    assertThat(RedisFlagCache.Builder.DEFAULT_PREFIX).isEqualTo("flagstack");
    assertThat(RedisFlagCache.Builder.DEFAULT_TTL).isEqualTo(Duration.ofSeconds(20));
    assertThat(RedisFlagCache.Builder.DEFAULT_CONNECT_TIMEOUT).isLessThanOrEqualTo(Duration.ofSeconds(1));
    // Covers a write issued up to the default primary call timeout after the invalidation, plus the budget.
    assertThat(RedisFlagCache.Builder.DEFAULT_INVALIDATION_REPEAT_DELAY)
        .isEqualTo(Duration.ofSeconds(2))
        .isGreaterThan(dev.flagstack.spi.FlagStore.DEFAULT_CALL_TIMEOUT.plus(dev.flagstack.spi.FlagCache.DEFAULT_TIME_BUDGET));
    try (RedisFlagCache cache = RedisFlagCache.builder().uri("redis://127.0.0.1:1").build()) {
      assertThat(cache.name()).isEqualTo("redis");
      assertThat(cache.timeBudget()).isEqualTo(Duration.ofMillis(100));
      assertThat(cache.toString()).contains("prefix=flagstack", "ttl=PT20S", "redis://127.0.0.1:1");
    }
  }

  @Test
  void keysAreInjectiveOverTrickyPairs() {
    KeyCodec keys = new KeyCodec("p");
    List<String[]> pairs = List.of(
        new String[] {"a:b", "c"}, new String[] {"a", "b:c"}, new String[] {"a", "bc"}, new String[] {"ab", "c"},
        new String[] {"a}:1:b", "c"}, new String[] {"a", "b}:1:c"}, new String[] {"1:a", "b"},
        new String[] {"a", "1:b"}, new String[] {"#", "x"}, new String[] {"x", "#"},
        new String[] {"é", "x"}, new String[] {"e\u0301", "x"}, new String[] {"🚀", "x"},
        new String[] {"a".repeat(300), "x"}, new String[] {"a".repeat(301), "x"},
        new String[] {"x", "a".repeat(300)}, new String[] {"x", "a".repeat(301)});
    Set<String> seen = new HashSet<>();
    for (String[] pair : pairs) {
      String key = keys.key(pair[0], pair[1]);
      assertThat(seen.add(key)).as("unique key for %s + %s", pair[0].length() > 20 ? "long" : pair[0], pair[1]).isTrue();
      assertThat(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(KeyCodec.MAX_KEY_BYTES);
    }
    assertThat(keys.key("a:b", "c")).isEqualTo("p:{3:a:b}:1:c");
    assertThat(keys.key("\uD800", "x")).as("unpaired surrogate").isNull();
    assertThat(KeyCodec.MAX_KEY_BYTES).isLessThanOrEqualTo(512);
    assertThat(new KeyCodec("a*b").scanPattern()).isEqualTo("a\\*b:{*");
  }

  @Test
  void valuesCarryTheirType() {
    assertThat(ValueCodec.encode(FlagValue.of(2.0), 17L)).isEqualTo("2|D|17|2.0");
    assertThat(ValueCodec.encode(FlagValue.of("2"), 0L)).isEqualTo("2|S|0|\"2\"");
    assertThat(ValueCodec.decode("1|L|2")).isEqualTo(FlagValue.of(2L));
    assertThat(ValueCodec.decode("1|D|2")).as("a long where a double was tagged").isNull();
    assertThat(ValueCodec.decode("1|S|2")).isNull();
    assertThat(ValueCodec.decode("1|B|true trailing")).isNull();
    assertThat(ValueCodec.decodeStamped("2|L|17|2")).isEqualTo(new ValueCodec.Stamped(FlagValue.of(2L), 17L));
    assertThat(ValueCodec.decodeStamped("1|L|2")).as("version 1: no stamp")
        .isEqualTo(new ValueCodec.Stamped(FlagValue.of(2L), ValueCodec.NO_STAMP));
    assertThat(ValueCodec.decodeStamped("2|D|17|2")).as("a long where a double was tagged").isNull();
    assertThat(ValueCodec.decodeStamped("2|L|17")).isNull();
    assertThat(ValueCodec.decodeStamped("2|L||2")).isNull();
  }

  @Test
  void invalidationMessagesRoundTripAndGarbageIsRejected() {
    InvalidationMessage m = InvalidationMessage.parse(InvalidationMessage.one("a:b|1", "c:d"));
    assertThat(m.entity()).isEqualTo("a:b|1");
    assertThat(m.flag()).isEqualTo("c:d");
    assertThat(InvalidationMessage.parse(InvalidationMessage.ALL).isAll()).isTrue();
    for (String junk : new String[] {null, "", "1|", "1|F|", "1|F|0:x", "1|F|2:ab", "1|F|+1:ab", "1|F|1ab",
        "2|*", "1|* "}) {
      assertThat(InvalidationMessage.parse(junk)).as(String.valueOf(junk)).isNull();
    }
  }
}
