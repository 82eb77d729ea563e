package dev.flagstack.store.rest.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks header names and values before OkHttp sees them, with messages that never repeat a value
 * (values carry tokens and API keys; OkHttp's own messages would show them).
 */
public final class HeaderRules {
  private static final Set<String> RESERVED = Set.of("host", "content-type", "content-length", "transfer-encoding",
      "connection", "te", "upgrade", "if-none-match", "accept");

  private HeaderRules() {}

  /**
   * A valid, unreserved header name.
   *
   * @throws IllegalArgumentException if it is empty, not an HTTP token, or set by the store itself
   */
  public static String name(String option, String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException(option + " must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
      if (!token) {
        throw new IllegalArgumentException(option + " is not a valid HTTP header name, was '" + Texts.shorten(name)
            + "' (character " + i + ")");
      }
    }
    if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(option + " '" + name + "' is set by the store itself");
    }
    return name;
  }

  /**
   * A valid header value: not blank, visible ASCII, spaces and tabs inside only.
   *
   * @throws IllegalArgumentException naming the option and the position, never the value
   */
  public static String value(String option, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(option + " must not be blank");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c == '\t' || (c >= 0x20 && c < 0x7f))) {
        throw new IllegalArgumentException(option + " holds a character not allowed in an HTTP header at index " + i
            + " (value not shown)");
      }
    }
    if (value.trim().length() != value.length()) {
      throw new IllegalArgumentException(option + " must not start or end with whitespace (value not shown)");
    }
    return value;
  }

  /**
   * Checks that {@code header} is not among the {@code names} already set, ignoring case.
   *
   * @throws IllegalStateException naming the option and the header
   */
  public static void checkNotSet(String option, String header, List<String> names) {
    for (String existing : names) {
      if (existing.equalsIgnoreCase(header)) {
        throw new IllegalStateException(option + ": header '" + header + "' was already set");
      }
    }
  }
}
