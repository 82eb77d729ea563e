package dev.flagstack.internal.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses setting values; each failure is an {@link IllegalArgumentException} whose message says what was expected. */
final class Values {
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final int MAX_SHOWN = 100;

  private Values() {}

  static int parseInt(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
    }
  }

  static long parseLong(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE);
    }
  }

  static double parseDouble(String value) {
    if (!DECIMAL.matcher(value).matches()) {
      throw new IllegalArgumentException("must be a decimal number such as 2.5");
    }
    double d = Double.parseDouble(value);
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("must be a finite decimal number");
    }
    return d;
  }

  static boolean parseBoolean(String value) {
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("must be true or false");
  }

  static Duration parseDuration(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE_DURATION.matcher(v);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      try {
        switch (m.group(2)) {
          case "ms":
            return Duration.ofMillis(amount);
          case "s":
            return Duration.ofSeconds(amount);
          case "m":
            return Duration.ofMinutes(amount);
          case "h":
            return Duration.ofHours(amount);
          default:
            return Duration.ofDays(amount);
        }
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("is too long a duration");
      }
    }
    if (v.matches("\\d+")) {
      throw new IllegalArgumentException("needs a unit: 500ms, 2s, 1m, 1h, 1d or ISO-8601 such as PT2S");
    }
    if (v.startsWith("p") || v.startsWith("-p") || v.startsWith("+p")) {
      Duration d;
      try {
        d = Duration.parse(value);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("must be a duration such as 500ms, 2s, 1m or ISO-8601 PT2S");
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative");
      }
      return d;
    }
    throw new IllegalArgumentException("must be a duration such as 500ms, 2s, 1m, 1h, 1d or ISO-8601 PT2S");
  }

  static URI parseUri(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      // The exception's message repeats the input: only its reason and position are safe to show.
      throw new IllegalArgumentException("must be a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    if (!uri.isAbsolute()) {
      throw new IllegalArgumentException("must be an absolute URI such as scheme://host:port");
    }
    return uri;
  }

  static List<String> parseList(String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      String t = item.trim();
      if (t.isEmpty()) {
        throw new IllegalArgumentException("must be a comma-separated list without empty items");
      }
      items.add(t);
    }
    return List.copyOf(items);
  }

  /** A value quoted for a message, cut at 100 chars, control characters escaped. */
  static String shown(String value) {
    String v = value.length() > MAX_SHOWN ? value.substring(0, MAX_SHOWN) + "...(" + value.length() + " chars)" : value;
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
