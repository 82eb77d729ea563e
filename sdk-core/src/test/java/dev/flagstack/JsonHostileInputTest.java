package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.flagstack.internal.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link FlagValue#fromJson} does with input a broken or hostile cache or store could hand it. */
class JsonHostileInputTest {
  /** A message may hold a short prefix, a line and column, and a capped reason: never the input. */
  private static final int SHORT_MESSAGE = 300;

  private static IllegalArgumentException refusal(String json) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> FlagValue.fromJson(json));
    assertThat(thrown).as("fromJson of %s", json.length() > 60 ? json.length() + " chars" : json)
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(thrown.getMessage()).hasSizeLessThan(SHORT_MESSAGE);
    return (IllegalArgumentException) thrown;
  }

  @Test
  void tenThousandLevelsOfNestingAreAQuickClearErrorNotAStackOverflow() {
    String arrays = "[".repeat(10_000) + "]".repeat(10_000);
    String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    String mixed = "[{\"a\":".repeat(5_000) + "1" + "}]".repeat(5_000);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      assertThat(refusal(arrays)).hasMessage(
          "JSON over a limit at line 1, column 65: nested deeper than " + Json.MAX_DEPTH + " levels");
      for (String deep : List.of(objects, mixed)) {
        assertThat(refusal(deep)).hasMessageContaining("nested deeper than " + Json.MAX_DEPTH + " levels");
      }
    });
  }

  @Test
  void nestingUpToTheLimitIsReadAndOneLevelMoreIsRefused() {
    String allowed = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertThat(FlagValue.fromJson(allowed).toJson()).isEqualTo(allowed);
    String objects = "{\"k\":".repeat(Json.MAX_DEPTH - 1) + "{}" + "}".repeat(Json.MAX_DEPTH - 1);
    assertThat(FlagValue.fromJson(objects).toJson()).isEqualTo(objects);

    String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThat(refusal(tooDeep)).hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
  }

  @Test
  void aMegabyteNumberIsRefusedWithAShortMessage() {
    String digits = "7".repeat(1_000_000);
    for (String number : List.of(digits, "-" + digits, "0." + digits, "1e" + digits, "[" + digits + "]")) {
      assertThat(refusal(number)).hasMessageContaining("JSON over a limit")
          .hasMessageContaining(String.valueOf(Json.MAX_NUMBER_LENGTH)).hasMessageNotContaining("7777777");
    }
  }

  @Test
  void numbersUpToTheLengthLimitAreReadAndOneCharMoreIsRefusedEverywhere() {
    List<String> longest = List.of(
        "-0." + "1".repeat(Json.MAX_NUMBER_LENGTH - 3),
        "1." + "0".repeat(Json.MAX_NUMBER_LENGTH - 5) + "e-5",
        "-" + "9".repeat(Json.MAX_NUMBER_LENGTH - 6) + ".5E+0");
    for (String number : longest) {
      assertThat(number).hasSize(Json.MAX_NUMBER_LENGTH);
      double expected = Double.parseDouble(number);
      assertThat(FlagValue.fromJson(number).doubleValue()).isEqualTo(expected);
      assertThat(FlagValue.fromJson("[" + number + "]").jsonValue()).isEqualTo(List.of(expected));
      String longer = number.replace(".", ".0");
      assertThat(refusal(longer)).hasMessageContaining("JSON over a limit");
      assertThat(refusal("[" + longer + "]")).hasMessageContaining("JSON over a limit");
      assertThat(refusal("{\"k\":" + longer + "}")).hasMessageContaining("JSON over a limit");
    }
  }

  @Test
  void aStringOverTheLimitIsRefusedAndOneAtTheLimitIsRead() {
    String atLimit = "\"" + "s".repeat(Json.MAX_STRING_LENGTH) + "\"";
    assertThat(FlagValue.fromJson(atLimit).stringValue()).hasSize(Json.MAX_STRING_LENGTH);

    String over = "s".repeat(Json.MAX_STRING_LENGTH + 1);
    assertThat(refusal("\"" + over + "\"")).hasMessageContaining("JSON over a limit")
        .hasMessageNotContaining("sssssss");
    assertThat(refusal("[\"" + over + "\"]")).hasMessageNotContaining("sssssss");
    assertThat(refusal("{\"" + over + "\":1}")).hasMessageNotContaining("sssssss");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"x\uD800y\"", "\"\uDC00\"", "\"end\uDBFF\"", "\"\uDC00\uD800\"", // raw halves, and a reversed pair
      "\"x\\uD800y\"", "\"\\uDC00\"", "\"\\uD800\\u0041\"", "\"\\uD800\\n\"", "\"\\uDE00\\uD83D\"",
      "[\"ok\",[\"\\uDBFF\"]]", "{\"\\uD800\":1}", "{\"k\":{\"\uDC01\":true}}", "{\"k\":[1,\"a\uD834\"]}"})
  void unpairedSurrogatesRawOrEscapedAreRefused(String json) {
    // Jackson itself already refuses a broken escaped pair inside a key; everything else is our check.
    assertThat(refusal(json).getMessage())
        .containsAnyOf("unpaired surrogate", "Broken surrogate pair").contains("malformed JSON");
  }

  @Test
  void anEscapedPairAndARawPairBothReadAsTheSameAstralCharacter() {
    String grinning = new String(Character.toChars(0x1F600));
    assertThat(FlagValue.fromJson("\"\\uD83D\\uDE00\"").stringValue()).isEqualTo(grinning);
    assertThat(FlagValue.fromJson("\"" + grinning + "\"").stringValue()).isEqualTo(grinning);
    assertThat(FlagValue.fromJson("{\"\\uD83D\\uDE00\":\"\\uD834\\uDD1E\"}").jsonValue())
        .isEqualTo(Map.of(grinning, "\uD834\uDD1E"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":2,\"a\":1}", "[{\"o\":{\"k\":null,\"k\":null}}]"})
  void duplicateKeysAreRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("malformed JSON").hasMessageContaining("uplicate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"01", "-01", "00", "+1", ".5", "-.5", "1.", "1.e5", "-", "1e", "1e+", "0x10", "1_000",
      "NaN", "-NaN", "Infinity", "-Infinity", "[01]", "{\"a\":+1}", "[1.]"})
  void looseNumbersAreRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("malformed JSON at line 1, column");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\\u-041\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\x41\"", "\"\\'\"", "\"\\U0041\""})
  void badEscapesAreRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("malformed JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1 2", "{} x", "[1]]", "true false", "\"a\"\"b\"", "1 // comment", "{},", "1x", "[] []"})
  void textAfterTheValueIsRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("malformed JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t\r "})
  void emptyInputIsRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"'single'", "{a:1}", "[1,]", "{\"a\":1,}", "/* c */ 1", "# c\n1", "[1 2]",
      "\"raw\ttab\"", "\"raw\u0000nul\"", "True", "nul", "[,1]", "{\"a\"}", "\u00A01", "\uFEFF1"})
  void everyOtherNonStandardFormIsRefused(String json) {
    assertThat(refusal(json)).hasMessageContaining("malformed JSON");
  }

  @Test
  void integersOutsideTheLongRangeAreAClearErrorNotARoundedDouble() {
    assertThat(FlagValue.fromJson("9223372036854775807")).isEqualTo(FlagValue.of(Long.MAX_VALUE));
    assertThat(FlagValue.fromJson("-9223372036854775808")).isEqualTo(FlagValue.of(Long.MIN_VALUE));
    for (String big : List.of("9223372036854775808", "-9223372036854775809", "[100000000000000000000]")) {
      assertThat(refusal(big)).hasMessageContaining("outside the 64-bit range");
    }
  }

  @Test
  void numbersThatOverflowADoubleAreRefused() {
    for (String huge : List.of("1e999", "-1e999", "[1.8e308]", "{\"x\":-2E+400}")) {
      assertThat(refusal(huge)).hasMessageContaining("overflows a double");
    }
  }

  @Test
  void messagesForMegabyteInputsStayShortAndNeverQuoteTheInput() {
    String filler = "q".repeat(1_000_000);
    List<String> inputs = List.of(
        "t" + filler,                                    // one megabyte bad token
        "[\"" + filler + "\",x]",                        // an error after a megabyte of good text
        "\"" + filler + "\uD800\"",                      // a lone surrogate at the end of a long string
        "{\"" + filler + "\":1,\"" + filler + "\":2}",   // a duplicate megabyte key
        "\"" + filler,                                   // never terminated
        "[" + "1,".repeat(500_000) + "]");               // trailing comma after a megabyte of numbers
    for (String input : inputs) {
      assertThat(refusal(input).getMessage()).doesNotContain("q".repeat(250));
    }
  }

  @Test
  void jsonNullAndJavaNullAreRefused() {
    assertThat(refusal("null")).hasMessageContaining("cannot be JSON null");
    assertThatThrownBy(() -> FlagValue.fromJson(null)).isInstanceOf(NullPointerException.class);
  }
}
