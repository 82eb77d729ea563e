package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.failure;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A 429 pauses every call until its Retry-After time, by the injected clock: no request reaches the server before. */
class RateLimitTest {
  private static final Instant START = Instant.parse("2026-11-20T10:00:00Z");

  @StartStop
  final MockWebServer server = new MockWebServer();

  static Stream<Arguments> retryAfterForms() {
    Function<Instant, String> seconds = at -> "120";
    Function<Instant, String> httpDate = at -> DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC)
        .format(at.plusSeconds(120));
    Function<Instant, String> iso = at -> at.plusSeconds(120).toString();
    return Stream.of(Arguments.of("delay-seconds", seconds), Arguments.of("HTTP-date", httpDate),
        Arguments.of("ISO-8601", iso));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryAfterForms")
  void noCallReachesTheServerBeforeTheRetryAfterTime(String form, Function<Instant, String> header) {
    MutableClock clock = new MutableClock(START);
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", header.apply(START)).build());
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = storeFor(server).clock(clock).build()) {
      StoreException limited = failure(store.getFlags("e", flags("f")));
      assertThat(limited.isTransient()).isTrue();
      assertThat(limited).hasMessageContaining("HTTP 429").hasMessageContaining("2026-11-20T10:02:00Z");

      for (int i = 0; i < 5; i++) {
        StoreException fast = failure(store.getFlags("e" + i, flags("f", "g")));
        assertThat(fast.isTransient()).isTrue();
        assertThat(fast).hasMessageContaining("no calls before 2026-11-20T10:02:00Z");
      }
      clock.advance(Duration.ofSeconds(119).plusMillis(999));
      assertThat(failure(store.getFlags("e", flags("f"))).isTransient()).isTrue();
      assertThat(server.getRequestCount()).isEqualTo(1);

      clock.advance(Duration.ofMillis(1));
      assertThat(answer(store.getFlags("e", flags("f")))).containsExactly(Map.entry("f", FlagValue.TRUE));
      assertThat(server.getRequestCount()).isEqualTo(2);
    }
  }

  @Test
  void aMissingRetryAfterPausesForTheDefaultSecond() {
    MutableClock clock = new MutableClock(START);
    server.enqueue(new MockResponse.Builder().code(429).build());
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = storeFor(server).clock(clock).build()) {
      failure(store.getFlags("e", flags("f")));
      clock.advance(Duration.ofMillis(999));
      failure(store.getFlags("e", flags("f")));
      assertThat(server.getRequestCount()).isEqualTo(1);

      clock.advance(Duration.ofMillis(1));
      assertThat(answer(store.getFlags("e", flags("f")))).containsKey("f");
    }
  }

  @Test
  void aRetryAfterBeyondTheMaximumIsCapped() {
    MutableClock clock = new MutableClock(START);
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "31536000").build());
    server.enqueue(json(200, "{\"key\":\"f\",\"value\":true}"));
    try (RestFlagStore store = storeFor(server).clock(clock).maxRetryAfter(Duration.ofMinutes(2)).build()) {
      failure(store.getFlags("e", flags("f")));
      clock.advance(Duration.ofMinutes(2).minusMillis(1));
      failure(store.getFlags("e", flags("f")));
      assertThat(server.getRequestCount()).isEqualTo(1);

      clock.advance(Duration.ofMillis(1));
      assertThat(answer(store.getFlags("e", flags("f")))).containsKey("f");
    }
  }

  @Test
  void theStartOfAPauseIsLoggedOnceAtWarn() {
    MutableClock clock = new MutableClock(START);
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "30").build());
    try (RestFlagStore store = storeFor(server).clock(clock).build()) {
      String logs = Ofrep.logsOf(() -> {
        for (int i = 0; i < 3; i++) {
          failure(store.getFlags("e", flags("f")));
        }
      });
      assertThat(logs.lines().filter(l -> l.contains("WARN") && l.contains("rate limited"))).hasSize(1);
      assertThat(logs).contains("no calls for 30000 ms");
    }
  }
}
