package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flagstack.internal.Json;
import dev.flagstack.internal.Utf16;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A value that can be made survives {@code toJson()} and {@code fromJson()} unchanged, and a value that
 * could not (an unpaired surrogate, a string or nesting over the limits) cannot be made.
 */
class FlagValueIntegrityTest {
  private static final String GRINNING = new String(Character.toChars(0x1F600));
  private static final String CLEF = "\uD834\uDD1E";

  private static void assertRoundTrips(FlagValue value) {
    String json = value.toJson();
    FlagValue back = FlagValue.fromJson(json);
    assertThat(back).as("read back from %s", json.length() > 80 ? json.length() + " chars" : json)
        .isEqualTo(value);
    assertThat(back.type()).isEqualTo(value.type());
    assertThat(back.toJson()).isEqualTo(json);
  }

  @Test
  void astralCharactersAndEveryEscapeRoundTripInStringsKeysAndArrays() {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      every.append(c);
    }
    every.append("\u2028\u2029\uFEFF\uFFFF\uE000").append(GRINNING).append(CLEF).append("\uDBFF\uDFFF");
    String text = every.toString();
    Map<String, Object> object = new LinkedHashMap<>();
    object.put(text, text);
    object.put(GRINNING, List.of(CLEF, Map.of(CLEF, GRINNING)));
    for (FlagValue v : List.of(FlagValue.of(text), FlagValue.of(GRINNING), FlagValue.of(""),
        FlagValue.object(object), FlagValue.array(List.of(text, "", GRINNING + CLEF)))) {
      assertRoundTrips(v);
    }
    assertThat(FlagValue.of(GRINNING).toJson()).isEqualTo("\"" + GRINNING + "\"");
  }

  @Test
  void extremeNumbersRoundTripWithTheirTypeAndSign() {
    List<FlagValue> values = List.of(FlagValue.of(Long.MIN_VALUE), FlagValue.of(Long.MAX_VALUE), FlagValue.of(0L),
        FlagValue.of(-0.0), FlagValue.of(0.0), FlagValue.of(1e300), FlagValue.of(-1e300), FlagValue.of(5e-324),
        FlagValue.of(-Double.MIN_VALUE), FlagValue.of(Double.MAX_VALUE), FlagValue.of(Double.MIN_NORMAL),
        FlagValue.of(0.1), FlagValue.of(1e22), FlagValue.of(1e7), FlagValue.of(123456789.0), FlagValue.of(3.0),
        FlagValue.array(Arrays.asList(-0.0, Long.MIN_VALUE, Long.MAX_VALUE, 5e-324, 1e300, 2.0, 7, null)));
    for (FlagValue v : values) {
      assertRoundTrips(v);
    }
    assertThat(FlagValue.fromJson(FlagValue.of(-0.0).toJson()).doubleValue()).isEqualTo(-0.0).isNegative();
    @SuppressWarnings("unchecked")
    List<Object> tree = (List<Object>) FlagValue.fromJson(values.get(values.size() - 1).toJson()).jsonValue();
    assertThat(tree).containsExactly(-0.0, Long.MIN_VALUE, Long.MAX_VALUE, 5e-324, 1e300, 2.0, 7L, null);
    assertThat(Double.doubleToRawLongBits((Double) tree.get(0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void aWholeDoubleIsPrintedWithAPointSoItReadsBackAsADouble() {
    for (double d : new double[] {1.0, -2.0, 1e7, 1e22, 1e300, 0.0}) {
      assertThat(FlagValue.of(d).toJson()).contains(".");
      assertThat(FlagValue.fromJson(FlagValue.of(d).toJson()).type()).isEqualTo(FlagType.DOUBLE);
      assertThat(FlagValue.array(List.of(d)).toJson()).contains(".");
    }
    assertThat(FlagValue.fromJson("[1,1.0,1e0]").jsonValue()).isEqualTo(List.of(1L, 1.0, 1.0));
  }

  @Test
  void nestingUpToTheLimitRoundTripsAndOneLevelMoreCannotBeMade() {
    Object deepest = List.of();
    for (int level = 1; level < Json.MAX_DEPTH; level++) {
      deepest = level % 2 == 0 ? List.of(deepest) : Map.of("k", deepest);
    }
    FlagValue allowed = FlagValue.fromObject(deepest);
    assertRoundTrips(allowed);

    List<Object> tooDeep = List.of(deepest);
    assertThatThrownBy(() -> FlagValue.array(tooDeep)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON nested deeper than " + Json.MAX_DEPTH + " levels");
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    assertThatThrownBy(() -> FlagValue.array(cycle)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper than");
  }

  @Test
  void aStringAtTheLengthLimitRoundTripsAndOneCharLongerCannotBeMade() {
    String atLimit = "é".repeat(Json.MAX_STRING_LENGTH);
    assertRoundTrips(FlagValue.of(atLimit));
    assertRoundTrips(FlagValue.object(Map.of(atLimit, atLimit)));

    String over = atLimit + "é";
    for (Throwable thrown : List.of(catchThrowable(() -> FlagValue.of(over)),
        catchThrowable(() -> FlagValue.object(Map.of(over, 1))),
        catchThrowable(() -> FlagValue.array(List.of(List.of(over)))))) {
      assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining((Json.MAX_STRING_LENGTH + 1) + " characters long; the limit is "
              + Json.MAX_STRING_LENGTH);
      assertThat(thrown.getMessage()).hasSizeLessThan(200);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"x\uD800y", "\uDC00", "end\uDBFF", "\uDC00\uD800", "\uD800\uD800\uDC00", "a\uDFFF"})
  void aStringWithAnUnpairedSurrogateCannotBeMadeAnywhereInAValue(String bad) {
    int index = Utf16.firstUnpairedSurrogate(bad);
    List<Throwable> refusals = List.of(
        catchThrowable(() -> FlagValue.of(bad)),
        catchThrowable(() -> FlagValue.fromObject(bad)),
        catchThrowable(() -> FlagValue.object(Map.of("k", bad))),
        catchThrowable(() -> FlagValue.object(Map.of(bad, "v"))),
        catchThrowable(() -> FlagValue.array(List.of("ok", List.of(Map.of("k", List.of(bad)))))),
        catchThrowable(() -> FlagValue.fromObject(Map.of("k", Map.of(bad, 1)))));
    for (Throwable thrown : refusals) {
      assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("contains an unpaired surrogate (U+"
              + Integer.toHexString(bad.charAt(index)).toUpperCase(Locale.ROOT) + ") at index " + index)
          .hasMessageNotContaining(bad);
    }
  }

  @Test
  void theLoneSurrogateMessageNeverEchoesAHugeString() {
    String huge = "v".repeat(500_000) + "\uD800";
    assertThatThrownBy(() -> FlagValue.of(huge)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a string flag value contains an unpaired surrogate (U+D800) at index 500000; "
            + "text must be valid UTF-16");
  }

  @Test
  void randomTextEitherRoundTripsExactlyOrIsRefusedForAnUnpairedSurrogate() {
    Random random = new Random(20_240_917L);
    char[] alphabet = {'a', '"', '\\', '/', '\n', '\u0000', '\u001F', '\u007F', 'é', '\u2028', '\uFFFF',
        '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00'};
    int refused = 0;
    int kept = 0;
    for (int round = 0; round < 2_000; round++) {
      char[] chars = new char[random.nextInt(12)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String s = new String(chars);
      boolean wellFormed = s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
      Throwable thrown = catchThrowable(() -> {
        assertRoundTrips(FlagValue.of(s));
        assertRoundTrips(FlagValue.object(Map.of(s, List.of(s))));
      });
      if (wellFormed) {
        assertThat(thrown).as("well-formed %s", s.chars().mapToObj(Integer::toHexString).toList()).isNull();
        kept++;
      } else {
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
        refused++;
      }
    }
    assertThat(kept).isGreaterThan(100);
    assertThat(refused).isGreaterThan(100);
  }

  @Test
  void fromJsonReturnsFrozenTreesInInsertionOrder() {
    FlagValue v = FlagValue.fromJson("{\"z\":1,\"a\":[true,{\"m\":null}],\"k\":\"s\"}");
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) v.jsonValue();
    assertThat(tree.keySet()).containsExactly("z", "a", "k");
    assertThatThrownBy(() -> tree.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> inner = (List<Object>) tree.get("a");
    assertThatThrownBy(() -> inner.add(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(v.toJson()).isEqualTo("{\"z\":1,\"a\":[true,{\"m\":null}],\"k\":\"s\"}");
  }
}
