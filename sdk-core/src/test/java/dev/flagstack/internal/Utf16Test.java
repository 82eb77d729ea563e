package dev.flagstack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf16Test {

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource({
      "-1, plain",
      "-1, ''",
      "-1, \uD83D\uDE00",
      "-1, a\uD834\uDD1Eb\uDBFF\uDFFF",
      "0, \uD800",
      "0, \uDC00",
      "1, a\uD800b",
      "3, a\uD83D\uDE00\uDE00",
      "0, \uDC00\uD800",
      "0, \uD800\uD800\uDC00",
      "2, \uD83D\uDE00\uD83D",
  })
  void findsTheFirstUnpairedSurrogate(int expected, String text) {
    assertThat(Utf16.firstUnpairedSurrogate(text)).isEqualTo(expected);
  }
}
