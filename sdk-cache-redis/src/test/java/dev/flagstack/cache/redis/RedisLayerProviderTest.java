package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.roundTripWorks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Type {@code redis} through the configuration, against a real Redis that requires a password. */
class RedisLayerProviderTest {
  private static final String PASSWORD = "Conf1g-S3cret-Pa55";

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcessWithPassword(PASSWORD);

  private final InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v"));
  private final LayerProvider testPrimary = new LayerProvider() {
    @Override
    public String type() {
      return "test-primary";
    }

    @Override
    public Set<Kind> kinds() {
      return Set.of(Kind.STORE);
    }

    @Override
    public FlagStore createStore(LayerConfig config) {
      return primary;
    }
  };

  private String uri(String password) {
    return "redis://:" + password + "@" + redis.host() + ":" + redis.port();
  }

  private ConfiguredFlagClient build(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("flagstack.primary.type", "test-primary");
    return FlagClientConfig.fromMap(all).withProvider(testPrimary).build();
  }

  @Test
  void aConfiguredRedisTierServesWhatThePrimaryWrote() {
    try (ConfiguredFlagClient configured = build(Map.of(
        "flagstack.caches", "redis",
        "flagstack.cache.redis.uri", uri(PASSWORD),
        "flagstack.cache.redis.prefix", "cfgtest",
        "flagstack.cache.redis.time-budget", "250ms",
        "flagstack.cache.redis.ttl", "1m",
        "flagstack.cache.redis.invalidation-channel", "cfgtest-changes",
        "flagstack.cache.redis.invalidation-repeat-delay", "3s",
        "flagstack.cache.redis.clock-skew-allowance", "500ms"))) {
      RedisFlagCache tier = (RedisFlagCache) configured.caches().get(0);
      assertThat(tier.timeBudget()).isEqualTo(Duration.ofMillis(250));
      awaitConnected(tier);
      assertThat(roundTripWorks(tier, "probe", "probe")).isTrue();
      assertThat(configured.client().getString("tenant", "f", "default")).isEqualTo("v");
      TestSupport.await("the primary's value is in Redis", Duration.ofSeconds(10),
          () -> redis.command("KEYS", "cfgtest:*").toString().contains(":f"));
      primary.failTransiently();
      assertThat(configured.client().getFlagDetail("tenant", "f", FlagValue.of("d")).source())
          .isEqualTo(FlagSource.CACHE);
    }
    assertThat(redis.command("CLIENT", "LIST").toString()).as("closing the configured client closed the tier")
        .doesNotContain("cfgtest");
  }

  @Test
  void aMissingUriNamesTheKey() {
    assertThatThrownBy(() -> build(Map.of("flagstack.caches", "redis")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.cache.redis.uri is required (or uris, with cluster=true, for a Redis Cluster)");
  }

  @Test
  void aMalformedUriWithAPasswordNeverShowsThePassword() {
    for (String bad : new String[] {"redis://:" + PASSWORD + "@host:99999", "redis//:" + PASSWORD + "@host",
        "bogus://:" + PASSWORD + "@host"}) {
      assertThatThrownBy(() -> build(Map.of("flagstack.caches", "redis", "flagstack.cache.redis.uri", bad)))
          .isInstanceOf(FlagConfigurationException.class)
          .hasMessageStartingWith("flagstack.cache.redis.uri is invalid")
          .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD).doesNotContain("@"));
    }
    assertThatThrownBy(() -> build(Map.of("flagstack.caches", "redis", "flagstack.cache.redis.uris",
        uri(PASSWORD) + "," + uri(PASSWORD))))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.cache.redis cannot be created: IllegalStateException: several uris need cluster(true)")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
  }

  @Test
  void aMalformedDurationNamesKeyAndValue() {
    assertThatThrownBy(() -> build(Map.of("flagstack.caches", "redis", "flagstack.cache.redis.uri", uri(PASSWORD),
        "flagstack.cache.redis.connect-timeout", "1 minute")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.cache.redis.connect-timeout must be a duration such as 500ms, 2s, 1m, 1h, 1d or "
            + "ISO-8601 PT2S, was '1 minute'");
  }
}
