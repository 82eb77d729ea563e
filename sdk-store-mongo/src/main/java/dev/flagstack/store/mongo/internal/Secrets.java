package dev.flagstack.store.mongo.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The secrets of one connection string (its password, raw and decoded, and its whole user-info part),
 * and the means to keep them out of messages. {@code ConnectionString.toString()} returns the raw
 * password, so nothing derived from the URI text may reach a log or an exception unless it went
 * through here.
 */
public final class Secrets {
  private static final Secrets NONE = new Secrets(List.of());
  private static final String MASK = "*****";

  private final List<String> secrets;

  private Secrets(List<String> secrets) {
    this.secrets = secrets;
  }

  /** No secrets: for a client the caller built. */
  public static Secrets none() {
    return NONE;
  }

  /** The secrets found in {@code uri}, parsed leniently (the URI may not be valid). */
  public static Secrets of(String uri) {
    List<String> found = new ArrayList<>();
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int slash = uri.indexOf('/', start);
    int end = slash < 0 ? uri.length() : slash;
    int at = uri.lastIndexOf('@', end - 1);
    if (at >= start) {
      String userInfo = uri.substring(start, at);
      found.add(userInfo);
      int colon = userInfo.indexOf(':');
      if (colon >= 0 && colon + 1 < userInfo.length()) {
        String raw = userInfo.substring(colon + 1);
        found.add(raw);
        try {
          found.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          // Not valid percent-encoding: the raw form is all there is.
        }
      }
    }
    found.removeIf(String::isEmpty);
    // Longest first, so a password inside the user-info is masked as part of the whole.
    found.sort((a, b) -> Integer.compare(b.length(), a.length()));
    return found.isEmpty() ? NONE : new Secrets(Collections.unmodifiableList(found));
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
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      String s = t.toString();
      for (String secret : secrets) {
        if (s.contains(secret)) {
          return true;
        }
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (leaks(suppressed)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code error} if it is safe to attach as a cause, else null. */
  public Throwable safeCause(Throwable error) {
    return leaks(error) ? null : error;
  }
}
