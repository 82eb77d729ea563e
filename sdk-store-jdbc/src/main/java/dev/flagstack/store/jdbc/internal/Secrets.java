package dev.flagstack.store.jdbc.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The secrets of a store's connection settings (the password given to the builder, and any password in
 * the JDBC URL, raw and decoded) and the means to keep them out of messages. Nothing derived from the URL
 * text or from a driver message may reach a log or an exception unless it went through here.
 */
public final class Secrets {
  private static final Secrets NONE = new Secrets(List.of());
  private static final String MASK = "*****";

  private final List<String> secrets;

  private Secrets(List<String> secrets) {
    this.secrets = secrets;
  }

  /** No secrets: for a data source the caller built. */
  public static Secrets none() {
    return NONE;
  }

  /** The secrets of {@code jdbcUrl} (parsed leniently) and {@code password} (either may be null). */
  public static Secrets of(String jdbcUrl, String password) {
    List<String> found = new ArrayList<>();
    if (password != null) {
      found.add(password);
    }
    if (jdbcUrl != null) {
      addUserInfo(jdbcUrl, found);
      addPasswordParameters(jdbcUrl, found);
    }
    found.removeIf(String::isEmpty);
    // Longest first, so a password inside a longer secret is masked as part of the whole.
    found.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return found.isEmpty() ? NONE : new Secrets(Collections.unmodifiableList(found));
  }

  private static void addUserInfo(String url, List<String> found) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return;
    }
    int start = scheme + 3;
    int end = firstOf(url, start, '/', '?');
    int at = url.lastIndexOf('@', end - 1);
    if (at >= start) {
      String userInfo = url.substring(start, at);
      found.add(userInfo);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        addRawAndDecoded(userInfo.substring(colon + 1), found);
      }
    }
  }

  private static void addPasswordParameters(String url, List<String> found) {
    int q = url.indexOf('?');
    if (q < 0) {
      return;
    }
    for (String param : url.substring(q + 1).split("[&;]")) {
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT).contains("password")) {
        addRawAndDecoded(param.substring(eq + 1), found);
      }
    }
  }

  private static void addRawAndDecoded(String raw, List<String> found) {
    found.add(raw);
    try {
      found.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      // Not valid percent-encoding: the raw form is all there is.
    }
  }

  private static int firstOf(String s, int from, char a, char b) {
    int ia = s.indexOf(a, from);
    int ib = s.indexOf(b, from);
    if (ia < 0) {
      return ib < 0 ? s.length() : ib;
    }
    return ib < 0 ? ia : Math.min(ia, ib);
  }

  /**
   * {@code jdbcUrl} without its query string and user info, such as
   * {@code jdbc:postgresql://db1:5432/flags}: safe to show.
   */
  public static String describeUrl(String jdbcUrl) {
    int q = jdbcUrl.indexOf('?');
    String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
    int scheme = base.indexOf("://");
    if (scheme >= 0) {
      int at = base.lastIndexOf('@');
      if (at > scheme) {
        base = base.substring(0, scheme + 3) + base.substring(at + 1);
      }
    }
    return base;
  }

  /** {@code text} with every secret masked; null stays null. */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  /** Whether any message or string form in {@code error}'s cause chain holds a secret. */
  public boolean leaks(Throwable error) {
    if (secrets.isEmpty()) {
      return false;
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return leaks(error, seen);
  }

  private boolean leaks(Throwable error, Set<Throwable> seen) {
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      String s = t.toString();
      for (String secret : secrets) {
        if (s.contains(secret)) {
          return true;
        }
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (leaks(suppressed, seen)) {
          return true;
        }
      }
      if (t instanceof java.sql.SQLException && leaks(((java.sql.SQLException) t).getNextException(), seen)) {
        return true;
      }
    }
    return false;
  }

  /** {@code error} if it is safe to attach as a cause, else null. */
  public Throwable safeCause(Throwable error) {
    return leaks(error) ? null : error;
  }
}
