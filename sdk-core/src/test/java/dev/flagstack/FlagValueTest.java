package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlagValueTest {

  @Test
  void everyTypeRoundTripsThroughJson() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("limit", 5);
    object.put("ratio", 0.25);
    object.put("tags", List.of("a", "b\"quoted\"", "line\nbreak"));
    object.put("nothing", null);
    List<FlagValue> values = List.of(FlagValue.TRUE, FlagValue.FALSE, FlagValue.of("text ünï \u0001"),
        FlagValue.of(Long.MIN_VALUE), FlagValue.of(3.0), FlagValue.of(-1.5e-300), FlagValue.object(object),
        FlagValue.array(List.of(1, "two", Map.of("three", true))));
    for (FlagValue v : values) {
      FlagValue back = FlagValue.fromJson(v.toJson());
      assertThat(back).isEqualTo(v);
      assertThat(back.type()).isEqualTo(v.type());
      assertThat(back.hashCode()).isEqualTo(v.hashCode());
    }
  }

  @Test
  void typedAccessorsCheckTheType() {
    assertThat(FlagValue.of(true).booleanValue()).isTrue();
    assertThat(FlagValue.of(7L).longValue()).isEqualTo(7);
    assertThat(FlagValue.of(7L).doubleValue()).isEqualTo(7.0);
    assertThatThrownBy(() -> FlagValue.of("x").booleanValue())
        .isInstanceOf(FlagTypeMismatchException.class).hasMessage("flag value is STRING, not BOOLEAN");
    assertThatThrownBy(() -> FlagValue.of(1.5).longValue()).isInstanceOf(FlagTypeMismatchException.class);
    assertThatThrownBy(() -> FlagValue.TRUE.jsonValue()).isInstanceOf(FlagTypeMismatchException.class);
  }

  @Test
  void jsonValuesAreImmutableCopies() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("k", new java.util.ArrayList<>(List.of(1)));
    FlagValue v = FlagValue.object(source);
    source.put("k2", 2);
    assertThat(v.toJson()).isEqualTo("{\"k\":[1]}");
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) v.jsonValue();
    assertThatThrownBy(() -> tree.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nonFiniteNumbersAreRefused() {
    assertThatThrownBy(() -> FlagValue.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FlagValue.of(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FlagValue.fromJson("1e999")).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tru", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "01x", "null", "1 2",
      "\"bad \\q escape\"", "{1:2}", "\"\\u12\""})
  void malformedJsonIsAClearError(String json) {
    assertThatThrownBy(() -> FlagValue.fromJson(json)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deeplyNestedJsonIsRefusedWithoutBlowingTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> FlagValue.fromJson(deep))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper than 64");
  }

  @Test
  void fromObjectConvertsPlainJavaValues() {
    assertThat(FlagValue.fromObject(5)).isEqualTo(FlagValue.of(5L));
    assertThat(FlagValue.fromObject(1.5f)).isEqualTo(FlagValue.of(1.5));
    assertThat(FlagValue.fromObject("s")).isEqualTo(FlagValue.of("s"));
    assertThat(FlagValue.fromObject(Arrays.asList(1, null)).toJson()).isEqualTo("[1,null]");
    assertThatThrownBy(() -> FlagValue.fromObject(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FlagValue.fromObject(new Object())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equalityAndToString() {
    assertThat(FlagValue.of("a")).isEqualTo(FlagValue.of("a")).isNotEqualTo(FlagValue.of("b"));
    assertThat(FlagValue.of(1L)).isNotEqualTo(FlagValue.of(1.0));
    assertThat(FlagValue.of(true)).isSameAs(FlagValue.TRUE);
    assertThat(FlagValue.of("a").toString()).isEqualTo("STRING:\"a\"");
  }
}
