package dev.flagstack.store.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Reads a {@code Retry-After} header in the three forms OFREP servers send: delay-seconds ({@code 120}),
 * an HTTP-date ({@code Wed, 21 Oct 2026 07:28:00 GMT}, also the obsolete RFC 850 and asctime forms), or
 * an ISO-8601 date-time with an offset ({@code 2026-10-21T07:28:00Z}).
 */
public final class RetryAfter {
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private RetryAfter() {}

  /**
   * The instant before which no call may be made: the header's time, at least {@code now} and at most
   * {@code now + max}; {@code now + fallback} when the header is missing or cannot be read.
   */
  public static Instant until(String header, Instant now, Duration fallback, Duration max) {
    Instant wanted = header == null ? null : parse(header.trim(), now);
    if (wanted == null) {
      wanted = now.plus(fallback);
    }
    Instant latest = now.plus(max);
    if (wanted.isAfter(latest)) {
      return latest;
    }
    return wanted.isBefore(now) ? now : wanted;
  }

  /** The time the header names, or null when it is in none of the forms. */
  static Instant parse(String value, Instant now) {
    if (value.isEmpty()) {
      return null;
    }
    if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // More than 18 digits would overflow; such a delay is capped anyway.
      long seconds = value.length() > 18 ? Long.MAX_VALUE / 1_000_000_000L : Long.parseLong(value);
      return now.plusSeconds(Math.min(seconds, Long.MAX_VALUE / 1_000_000_000L));
    }
    Instant at = tryParse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
    if (at == null) {
      at = tryParse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
    if (at == null) {
      at = tryParse(value, rfc850(now));
    }
    if (at == null) {
      at = tryParse(value, ASCTIME);
    }
    return at;
  }

  /** RFC 850 dates have two-digit years: RFC 9110 reads them as at most 50 years ahead of now. */
  private static DateTimeFormatter rfc850(Instant now) {
    LocalDate base = LocalDate.ofInstant(now, ZoneOffset.UTC).minusYears(49);
    return new DateTimeFormatterBuilder()
        .appendPattern("EEEE, dd-MMM-")
        .appendValueReduced(ChronoField.YEAR, 2, 2, base)
        .appendPattern(" HH:mm:ss 'GMT'")
        .toFormatter(Locale.US)
        .withZone(ZoneOffset.UTC);
  }

  private static Instant tryParse(String value, DateTimeFormatter format) {
    try {
      return ZonedDateTime.parse(value, format).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
