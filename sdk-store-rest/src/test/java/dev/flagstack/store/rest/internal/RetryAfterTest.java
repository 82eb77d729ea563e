package dev.flagstack.store.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Retry-After form read to the right instant; anything else gets the fallback pause. */
class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
  private static final Duration FALLBACK = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofMinutes(10);

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "120                             | 2026-11-20T10:02:00Z",
      "0                               | 2026-11-20T10:00:00Z",
      "' 7 '                           | 2026-11-20T10:00:07Z",
      "Fri, 20 Nov 2026 10:05:00 GMT   | 2026-11-20T10:05:00Z",
      "Friday, 20-Nov-26 10:05:00 GMT  | 2026-11-20T10:05:00Z",
      "Fri Nov 20 10:05:00 2026        | 2026-11-20T10:05:00Z",
      "2026-11-20T10:05:00Z            | 2026-11-20T10:05:00Z",
      "2026-11-20T11:05:00+01:00       | 2026-11-20T10:05:00Z",
      "2026-11-20T10:05:00.500Z        | 2026-11-20T10:05:00.500Z",
      "Fri, 20 Nov 2026 09:00:00 GMT   | 2026-11-20T10:00:00Z",
      "99999999999999999999999         | 2026-11-20T10:10:00Z",
      "2030-01-01T00:00:00Z            | 2026-11-20T10:10:00Z",
  })
  void eachFormIsReadAndBoundedByNowAndTheMaximum(String header, String expected) {
    assertThat(RetryAfter.until(header, NOW, FALLBACK, MAX)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "-5", "1.5", "2026-11-20T10:05:00", "Fri, 32 Nov 2026 10:05:00 GMT"})
  void anUnreadableHeaderGivesTheFallbackPause(String header) {
    assertThat(RetryAfter.until(header, NOW, FALLBACK, MAX)).isEqualTo(NOW.plus(FALLBACK));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Fri Nov  6 10:05:00 2026"})
  void asctimePadsSingleDigitDaysWithASpace(String header) {
    assertThat(RetryAfter.until(header, Instant.parse("2026-11-06T10:00:00Z"), FALLBACK, MAX))
        .isEqualTo(Instant.parse("2026-11-06T10:05:00Z"));
  }
}
