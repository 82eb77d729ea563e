package dev.flagstack.internal.config;

import java.util.List;
import java.util.regex.Pattern;

/** Removes secrets from a message before it is shown. */
final class Redaction {
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s]*@");
  private static final String MASK = "*****";

  private Redaction() {}

  /** {@code message} without {@code secret}, its user-info part and any {@code user:password@} of a URI. */
  static String redact(String message, String secret) {
    return redact(message, secret == null ? List.of() : List.of(secret));
  }

  static String redact(String message, List<String> secrets) {
    if (message == null) {
      return "no detail";
    }
    String out = message;
    for (String s : secrets) {
      String value = s.trim();
      if (value.isEmpty()) {
        continue;
      }
      out = out.replace(value, MASK);
      int scheme = value.indexOf("://");
      int at = value.lastIndexOf('@');
      if (scheme >= 0 && at > scheme + 3) {
        String userInfo = value.substring(scheme + 3, at);
        out = out.replace(userInfo, MASK);
        int colon = userInfo.indexOf(':');
        if (colon >= 0 && colon + 1 < userInfo.length()) {
          out = out.replace(userInfo.substring(colon + 1), MASK);
        }
      }
    }
    return USER_INFO.matcher(out).replaceAll("");
  }
}
