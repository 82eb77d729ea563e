package dev.flagstack.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LayerConfigTest {
  private static final String PREFIX = "flagstack.cache.my.";

  private static LayerConfig config(String key, String value) {
    return LayerConfig.of(PREFIX, Map.of(key, value));
  }

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({"500ms,500", "2s,2000", "1m,60000", "1h,3600000", "1d,86400000", "PT2S,2000", "pt0.5s,500", "0s,0", " 3s ,3000"})
  void durationsTakeAUnitOrIso8601(String value, long millis) {
    assertThat(config("ttl", value).duration("ttl")).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"5000", "1.5s", "-1s", "-PT1S", "2 weeks", "PTX", "99999999999999999d"})
  void aMalformedDurationNamesTheKeyAndTheValue(String value) {
    assertThatThrownBy(() -> config("ttl", value).duration("ttl"))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.cache.my.ttl ")
        .hasMessageEndingWith(", was '" + value.trim() + "'")
        .extracting(e -> ((FlagConfigurationException) e).key()).isEqualTo("flagstack.cache.my.ttl");
  }

  @Test
  void numbersBooleansListsAndUrisParseAndFailNamingTheKey() {
    assertThat(config("n", "42").intValue("n")).contains(42);
    assertThat(config("n", "9000000000").longValue("n")).contains(9_000_000_000L);
    assertThat(config("n", "2.5").doubleValue("n")).contains(2.5);
    assertThat(config("b", "TRUE").booleanValue("b")).contains(true);
    assertThat(config("l", " a, b ,c").list("l")).containsExactly("a", "b", "c");
    assertThat(config("l", "").list("l")).isEmpty();
    assertThat(config("target", "dns:///flags:443").uri("target")).contains(URI.create("dns:///flags:443"));
    assertThatThrownBy(() -> config("n", "9000000000").intValue("n"))
        .hasMessage("flagstack.cache.my.n must be a whole number from -2147483648 to 2147483647, was '9000000000'");
    assertThatThrownBy(() -> config("n", "NaN").doubleValue("n"))
        .hasMessage("flagstack.cache.my.n must be a decimal number such as 2.5, was 'NaN'");
    assertThatThrownBy(() -> config("l", "a,,b").list("l"))
        .hasMessage("flagstack.cache.my.l must be a comma-separated list without empty items, was 'a,,b'");
    assertThatThrownBy(() -> config("target", "flags:443/x y").uri("target"))
        .hasMessageStartingWith("flagstack.cache.my.target must be a valid URI");
  }

  @Test
  void aMalformedUriWithAPasswordNeverEchoesIt() {
    String password = "hunter2-secret";
    String uri = "redis://user:" + password + "@cache host:6379";
    FlagConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(FlagConfigurationException.class,
        () -> config("uri", uri).uri("uri"));
    assertThat(e.getMessage()).startsWith("flagstack.cache.my.uri must be a valid URI")
        .endsWith("(value not shown)").doesNotContain(password).doesNotContain("user:");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void aSecretReadThroughSecretIsNeverShownEvenWhenTheSetterRefusesIt() {
    String token = "tok-123456789";
    LayerConfig config = config("bearer", token);
    assertThatThrownBy(() -> config.apply("bearer", LayerConfig::secret, v -> {
      throw new IllegalArgumentException("bearer " + v + " is too short");
    })).isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.cache.my.bearer is invalid: bearer ***** is too short (value not shown)")
        .hasNoCause();
  }

  @Test
  void applyPassesSetValuesAndTurnsASetterErrorIntoOneNamingKeyAndValue() {
    List<Object> set = new ArrayList<>();
    LayerConfig config = LayerConfig.of(PREFIX, Map.of("size", "7", "ttl", "1s"));
    config.apply("size", LayerConfig::longValue, set::add).apply("ttl", LayerConfig::duration, set::add)
        .apply("absent", LayerConfig::string, set::add);
    assertThat(set).containsExactly(7L, Duration.ofSeconds(1));
    assertThatThrownBy(() -> config("size", "0").apply("size", LayerConfig::longValue, v -> {
      throw new IllegalArgumentException("maximumSize must be at least 1, was " + v);
    })).hasMessage("flagstack.cache.my.size is invalid: maximumSize must be at least 1, was 0")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requiredKeysAndProviderChecksNameTheFullKey() {
    LayerConfig empty = LayerConfig.of(PREFIX, Map.of("blank", "  "));
    assertThat(empty.has("blank")).as("a blank value is unset").isFalse();
    assertThatThrownBy(() -> empty.requireString("blank")).hasMessage("flagstack.cache.my.blank is required");
    assertThatThrownBy(() -> empty.requireSecret("password")).hasMessage("flagstack.cache.my.password is required");
    assertThat(empty.invalid("mode", "must be fast or safe")).hasMessage("flagstack.cache.my.mode must be fast or safe");
    assertThat(empty.invalid(null, "cannot start")).hasMessage("flagstack.cache.my: cannot start");
    assertThat(empty.type()).isEqualTo("my");
    assertThat(empty.prefix()).isEqualTo(PREFIX);
  }

  @Test
  void keysMatchRelaxedAndUnaskedKeysAreReported() {
    LayerConfig config = LayerConfig.of(PREFIX, Map.of("Max_Size", "10", "maxRetries", "3", "typo", "x"));
    assertThat(config.longValue("max-size")).contains(10L);
    assertThat(config.intValue("max-retries")).contains(3);
    assertThat(config.unusedKeys()).containsExactly("flagstack.cache.my.typo");
  }
}
