package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.TestLayerProviders.FakeStores;
import dev.flagstack.TestLayerProviders.LocalTiers;
import dev.flagstack.spi.LayerProvider.Kind;
import dev.flagstack.testing.InMemoryFlagStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlagClientConfigTest {
  private final FakeStores stores = new FakeStores();

  private ConfiguredFlagClient build(Map<String, String> settings) {
    return FlagClientConfig.fromMap(settings).withProvider(stores).withProvider(new LocalTiers()).build();
  }

  private FlagConfigurationException failure(Map<String, String> settings) {
    try (ConfiguredFlagClient unexpected = build(settings)) {
      throw new AssertionError("expected a configuration error, built " + unexpected);
    } catch (FlagConfigurationException e) {
      return e;
    }
  }

  @Test
  void settingsReachTheClientAndItsLayers() {
    Map<String, String> settings = Map.of(
        "flagstack.caches", "local",
        "flagstack.primary.type", "fake",
        "flagstack.primary.fake.name", "flags-api",
        "flagstack.primary.breaker.failure-threshold", "1",
        "flagstack.secondary.type", "fake",
        "flagstack.secondary.fake.name", "backup",
        "flagstack.max-batch-size", "2",
        "other.key", "ignored");
    try (ConfiguredFlagClient configured = build(settings)) {
      FlagClient client = configured.client();
      InMemoryFlagStore primary = (InMemoryFlagStore) configured.primary();
      InMemoryFlagStore secondary = (InMemoryFlagStore) configured.secondary().orElseThrow();
      assertThat(primary.name()).isEqualTo("flags-api");
      assertThat(secondary.name()).isEqualTo("backup");
      assertThat(configured.caches()).hasSize(1);

      primary.put("dark-mode", FlagValue.TRUE);
      assertThat(client.getBoolean("tenant-1", "dark-mode", false)).isTrue();

      secondary.put("beta", FlagValue.of("from-backup"));
      primary.failTransiently();
      assertThat(client.getFlagDetail("tenant-1", "beta", FlagValue.of("default")).source())
          .isEqualTo(FlagSource.SECONDARY);
      assertThat(client.primaryBreakerState()).as("failure-threshold=1 opens after one failure")
          .isEqualTo(BreakerState.OPEN);
      assertThatThrownBy(() -> client.getFlags("tenant-1", List.of("a", "b", "c")))
          .isInstanceOf(InvalidFlagRequestException.class);
    }
    assertThat(stores.created).allMatch(InMemoryFlagStore::isClosed);
  }

  @Test
  void aClientWithoutSecondaryOrCachesNeedsOnlyThePrimaryType() {
    try (ConfiguredFlagClient configured = build(Map.of("flagstack.primary.type", "fake"))) {
      assertThat(configured.caches()).isEmpty();
      assertThat(configured.secondary()).isEmpty();
      assertThat(configured.client().getFlagDetail("e", "f", FlagValue.FALSE).errorKind())
          .isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
    }
  }

  @Test
  void theCustomizerAddsWhatFlatSettingsCannotCarry() {
    RecordingListener listener = new RecordingListener();
    try (ConfiguredFlagClient configured = FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "fake"))
        .withProvider(stores).build(b -> b.eventListener(listener))) {
      ((InMemoryFlagStore) configured.primary()).put("f", FlagValue.TRUE);
      configured.client().getBoolean("e", "f", false);
    }
    assertThat(listener.resolved).containsExactly("e/f PRIMARY fake");
  }

  @Test
  void aMissingPrimaryTypeNamesTheKeyAndTheKnownStoreTypes() {
    FlagConfigurationException e = failure(Map.of("flagstack.caches", "local"));
    assertThat(e).hasMessage("flagstack.primary.type is required; known store types: fake");
    assertThat(e.key()).isEqualTo("flagstack.primary.type");
    assertThat(e.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
  }

  @Test
  void anUnknownCacheTypeListsTheKnownCacheTypes() {
    FlagConfigurationException e = failure(Map.of("flagstack.caches", "local,memcache", "flagstack.primary.type", "fake"));
    assertThat(e).hasMessage("flagstack.caches names unknown cache type 'memcache'; known: local");
    assertThat(stores.created).as("nothing is created before every type is known").isEmpty();
  }

  @Test
  void anUnknownStoreTypeListsTheKnownStoreTypes() {
    assertThat(failure(Map.of("flagstack.primary.type", "grpc")))
        .hasMessage("flagstack.primary.type names unknown store type 'grpc'; known: fake");
  }

  @Test
  void aStoreTypeCannotBeACacheNorACacheTypeAStore() {
    assertThat(failure(Map.of("flagstack.caches", "fake", "flagstack.primary.type", "fake")))
        .hasMessage("flagstack.caches names type 'fake', which cannot be a cache; known cache types: local");
    assertThat(failure(Map.of("flagstack.primary.type", "fake", "flagstack.secondary.type", "local")))
        .hasMessage("flagstack.secondary.type names type 'local', which cannot be a store; known store types: fake");
  }

  @Test
  void aCacheTypeListedTwiceIsAnError() {
    assertThat(failure(Map.of("flagstack.caches", "local, local", "flagstack.primary.type", "fake")))
        .hasMessage("flagstack.caches lists cache type 'local' twice");
  }

  @Test
  void anUnknownKeyOfTheClientFailsNamingIt() {
    FlagConfigurationException e = failure(Map.of("flagstack.primary.type", "fake", "flagstack.max-batch-sise", "5"));
    assertThat(e).hasMessageStartingWith("unknown key flagstack.max-batch-sise: no such setting");
    assertThat(e.key()).isEqualTo("flagstack.max-batch-sise");
    assertThat(failure(Map.of("flagstack.primary.type", "fake", "flagstack.primary.breaker.failures", "5")))
        .hasMessageStartingWith("unknown key flagstack.primary.breaker.failures: no such setting");
  }

  @Test
  void anUnknownKeyOfASelectedTypeFailsListingItsKeysAndClosesWhatWasCreated() {
    FlagConfigurationException e = failure(Map.of(
        "flagstack.primary.type", "fake",
        "flagstack.secondary.type", "fake",
        "flagstack.secondary.fake.nmae", "typo"));
    assertThat(e).hasMessage("unknown key flagstack.secondary.fake.nmae for type 'fake'; its keys are: "
        + "name, call-timeout, token, fail-with");
    assertThat(stores.created).hasSize(2).allMatch(InMemoryFlagStore::isClosed);
  }

  @Test
  void keysOfAKnownTypeThatIsNotSelectedAreIgnored() {
    try (ConfiguredFlagClient configured = build(Map.of(
        "flagstack.primary.type", "fake",
        "flagstack.secondary.fake.name", "kept-for-later",
        "flagstack.cache.local.anything", "x"))) {
      assertThat(configured.secondary()).isEmpty();
    }
  }

  @Test
  void keysOfAnUnknownTypeFailListingTheKnownTypes() {
    assertThat(failure(Map.of("flagstack.primary.type", "fake", "flagstack.cache.rediss.uri", "redis://h")))
        .hasMessageStartingWith("unknown key flagstack.cache.rediss.uri: 'rediss' is not a known cache type (known: local)");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "flagstack.max-batch-size|many|flagstack.max-batch-size must be a whole number from -2147483648 to 2147483647, was 'many'",
      "flagstack.max-batch-size|0|flagstack.max-batch-size is invalid: maxBatchSize must be at least 1, was 0",
      "flagstack.secondary.cache-ttl|5000|flagstack.secondary.cache-ttl needs a unit: 500ms, 2s, 1m, 1h, 1d or ISO-8601 such as PT2S, was '5000'",
      "flagstack.last-known-good.enabled|yes|flagstack.last-known-good.enabled must be true or false, was 'yes'",
      "flagstack.watch-changes|maybe|flagstack.watch-changes must be true or false, was 'maybe'",
      "flagstack.primary.breaker.backoff-multiplier|0.5|flagstack.primary.breaker.backoff-multiplier is invalid: backoffMultiplier must be a finite number >= 1.0, was 0.5",
      "flagstack.primary.breaker.max-open-duration|1s|flagstack.primary.breaker: maxOpenDuration (PT1S) must not be shorter than openDuration (PT15S)",
      "flagstack.primary.fake.call-timeout|-PT1S|flagstack.primary.fake.call-timeout must not be negative, was '-PT1S'",
  })
  void aMalformedValueNamesTheKeyAndTheValue(String key, String value, String message) {
    assertThat(failure(Map.of("flagstack.primary.type", "fake", key, value))).hasMessage(message);
  }

  @Test
  void secretsNeverAppearInErrorsOrToString() {
    String secret = "s3cr3t-Pa55";
    FlagConfigurationException refused = failure(Map.of(
        "flagstack.primary.type", "fake", "flagstack.primary.fake.token", "bad-" + secret));
    assertThat(refused).hasMessage("flagstack.primary.fake.token was refused");
    FlagConfigurationException crashed = failure(Map.of(
        "flagstack.primary.type", "fake", "flagstack.primary.fake.token", secret,
        "flagstack.primary.fake.fail-with", "boom"));
    assertThat(crashed.getMessage()).contains("flagstack.primary.fake cannot be created", "boom").doesNotContain(secret);
    assertThat(crashed.getCause()).as("a cause holding the secret is dropped").isNull();
    FlagConfigurationException malformed = failure(Map.of(
        "flagstack.primary.type", "fake", "flagstack.primary.fake.password", "x", "flagstack.secondary.type", "fake",
        "flagstack.secondary.fake.call-timeout", "10", "flagstack.x.token", secret));
    assertThat(malformed.getMessage()).doesNotContain(secret);
    FlagClientConfig config = FlagClientConfig.fromMap(Map.of(
        "flagstack.primary.fake.token", secret, "flagstack.cache.redis.uri", "redis://u:" + secret + "@h"));
    assertThat(config.toString()).doesNotContain(secret).contains("flagstack.primary.fake.token=*****");
  }

  @Test
  void environmentVariablesMapAsSpringBootMapsThem() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin");
    env.put("FLAGSTACK_PRIMARY_TYPE", "fake");
    env.put("FLAGSTACK_PRIMARY_FAKE_CALLTIMEOUT", "250ms");
    env.put("FLAGSTACK_PRIMARY_BREAKER_FAILURETHRESHOLD", "1");
    env.put("FLAGSTACK_MAXBATCHSIZE", "1");
    env.put("FLAGSTACK_REDIS_URI", "redis://127.0.0.1:1");
    try (ConfiguredFlagClient configured = FlagClientConfig.fromEnvironment(env).withProvider(stores).build()) {
      assertThat(configured.primary().callTimeout().toMillis()).isEqualTo(250);
      assertThatThrownBy(() -> configured.client().getFlags("e", List.of("a", "b")))
          .isInstanceOf(InvalidFlagRequestException.class);
      ((InMemoryFlagStore) configured.primary()).failTransiently();
      configured.client().getBoolean("e", "f", false);
      assertThat(configured.client().primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    }
  }

  @Test
  void anEnvironmentVariableWithAnUnderscoreForADashFailsWithAHint() {
    FlagConfigurationException e = assertThrowsConfig(FlagClientConfig.fromEnvironment(Map.of(
        "FLAGSTACK_PRIMARY_TYPE", "fake", "FLAGSTACK_PRIMARY_BREAKER_FAILURE_THRESHOLD", "1")));
    assertThat(e.getMessage()).startsWith("unknown key FLAGSTACK_PRIMARY_BREAKER_FAILURE_THRESHOLD")
        .contains("FLAGSTACK_PRIMARY_BREAKER_FAILURETHRESHOLD");
    FlagConfigurationException malformed = assertThrowsConfig(FlagClientConfig.fromEnvironment(Map.of(
        "FLAGSTACK_PRIMARY_TYPE", "fake", "FLAGSTACK_MAXBATCHSIZE", "lots")));
    assertThat(malformed).hasMessageStartingWith("flagstack.max-batch-size (set as FLAGSTACK_MAXBATCHSIZE) must be");
  }

  private FlagConfigurationException assertThrowsConfig(FlagClientConfig config) {
    try (ConfiguredFlagClient unexpected = config.withProvider(stores).build()) {
      throw new AssertionError("expected a configuration error, built " + unexpected);
    } catch (FlagConfigurationException e) {
      return e;
    }
  }

  @Test
  void propertiesAreReadWithTheirDefaultsAndOtherKeysIgnored() {
    Properties defaults = new Properties();
    defaults.setProperty("flagstack.primary.type", "fake");
    Properties props = new Properties(defaults);
    props.setProperty("flagstack.primary.fake.name", "from-properties");
    props.setProperty("java.home", "/elsewhere");
    try (ConfiguredFlagClient configured = FlagClientConfig.fromProperties(props).withProvider(stores).build()) {
      assertThat(configured.primary().name()).isEqualTo("from-properties");
    }
    Properties wrong = new Properties();
    wrong.put("flagstack.max-batch-size", 12);
    assertThatThrownBy(() -> FlagClientConfig.fromProperties(wrong))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.max-batch-size in the properties must be a string, was a Integer");
  }

  @Test
  void keysMatchIgnoringCaseAndDashesButOneSettingMayBeWrittenOnlyOnce() {
    try (ConfiguredFlagClient configured = build(Map.of("FlagStack.Primary.Type", "fake", "flagstack.primary.fake.callTimeout", "2s"))) {
      assertThat(configured.primary().callTimeout().toSeconds()).isEqualTo(2);
    }
    assertThatThrownBy(() -> FlagClientConfig.fromMap(Map.of("flagstack.max-batch-size", "1", "flagstack.maxBatchSize", "2")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageContaining("are the same setting; set it once");
  }

  @Test
  void overridesReplaceSettingsAndABlankValueUnsetsOne() {
    FlagClientConfig file = FlagClientConfig.fromMap(Map.of(
        "flagstack.primary.type", "fake", "flagstack.secondary.type", "fake", "flagstack.primary.fake.name", "file"));
    FlagClientConfig env = FlagClientConfig.fromEnvironment(Map.of(
        "FLAGSTACK_SECONDARY_TYPE", "", "FLAGSTACK_PRIMARY_FAKE_NAME", "env"));
    try (ConfiguredFlagClient configured = file.withOverrides(env).withProvider(stores).build()) {
      assertThat(configured.primary().name()).isEqualTo("env");
      assertThat(configured.secondary()).isEmpty();
    }
  }

  @Test
  void providersMustHaveAValidUniqueType() {
    FlagClientConfig config = FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "fake")).withProvider(stores);
    assertThatThrownBy(() -> config.withProvider(TestLayerProviders.named("fake", Kind.STORE)).build())
        .isInstanceOf(FlagConfigurationException.class).hasMessageContaining("two layer providers claim type 'fake'");
    assertThatThrownBy(() -> config.withProvider(TestLayerProviders.named("Bad Type", Kind.STORE)).build())
        .isInstanceOf(FlagConfigurationException.class).hasMessageContaining("has an invalid type Bad Type");
    assertThatThrownBy(() -> config.withProvider(TestLayerProviders.named("breaker", Kind.CACHE)).build())
        .isInstanceOf(FlagConfigurationException.class).hasMessageContaining("has an invalid type breaker");
  }

  @Test
  void aProviderThatDeclaresAKindWithoutMakingItIsRefusedByTheDefault() {
    FlagConfigurationException e = assertThrowsConfig(FlagClientConfig.fromMap(Map.of(
        "flagstack.primary.type", "fake", "flagstack.caches", "hollow"))
        .withProvider(TestLayerProviders.named("hollow", Kind.CACHE)));
    assertThat(e).hasMessage("flagstack.cache.hollow: type 'hollow' cannot be a cache");
  }

  @Test
  void aFailingCustomizerClosesTheLayers() {
    FlagClientConfig config = FlagClientConfig.fromMap(Map.of("flagstack.primary.type", "fake")).withProvider(stores);
    assertThatThrownBy(() -> config.build(b -> {
      throw new IllegalStateException("customizer failed");
    })).hasMessage("customizer failed");
    assertThat(stores.created).hasSize(1).allMatch(InMemoryFlagStore::isClosed);
  }
}
