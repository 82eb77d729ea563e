package dev.flagstack.cache.memory;

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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryLayerProviderTest {
  /** A primary for the client; registered programmatically, as an application's own provider may be. */
  private static final LayerProvider TEST_PRIMARY = new LayerProvider() {
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
      return new InMemoryFlagStore("test-primary").put("f", FlagValue.TRUE);
    }
  };

  @Test
  void typeMemoryIsRegisteredAndItsSettingsReachTheTier() {
    try (ConfiguredFlagClient configured = FlagClientConfig.fromMap(Map.of(
        "flagstack.caches", "memory",
        "flagstack.cache.memory.name", "hot",
        "flagstack.cache.memory.max-size", "10",
        "flagstack.cache.memory.ttl", "2m",
        "flagstack.primary.type", "test-primary")).withProvider(TEST_PRIMARY).build()) {
      MemoryFlagCache tier = (MemoryFlagCache) configured.caches().get(0);
      assertThat(tier).hasToString("MemoryFlagCache{name=hot, maximumSize=10, ttl=PT2M, refreshAhead=0.2}");
      configured.client().getBoolean("e", "f", false);
      assertThat(configured.client().getFlagDetail("e", "f", FlagValue.FALSE).source()).isEqualTo(FlagSource.CACHE);
    }
  }

  @Test
  void aBadSettingNamesTheKeyAndAnUnknownOneListsTheKeys() {
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.caches", "memory",
        "flagstack.cache.memory.max-size", "0", "flagstack.primary.type", "test-primary"))
        .withProvider(TEST_PRIMARY).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.cache.memory.max-size is invalid: maximumSize must be at least 1, was 0");
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.caches", "memory",
        "flagstack.cache.memory.maximum-size", "5", "flagstack.primary.type", "test-primary"))
        .withProvider(TEST_PRIMARY).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("unknown key flagstack.cache.memory.maximum-size for type 'memory'; its keys are: name, max-size, ttl, refresh-ahead");
  }

  @Test
  void memoryCannotBeAStore() {
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "memory")).build())
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.type names type 'memory', which cannot be a store");
  }
}
