package dev.flagstack.store.rest.internal;

import java.io.InterruptedIOException;

/** Keeps text taken from a reply short and on one line before it goes into a message. */
public final class Texts {
  private static final int MAX = 200;

  private Texts() {}

  /** At most 200 characters, control characters replaced by spaces. */
  public static String shorten(String text) {
    String s = text.length() > MAX ? text.substring(0, MAX) + "..." : text;
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        if (out == null) {
          out = new StringBuilder(s);
        }
        out.setCharAt(i, ' ');
      }
    }
    return out == null ? s : out.toString();
  }

  /** An exception as class and shortened message; OkHttp's call timeout as words. */
  public static String describe(Exception e) {
    if (e instanceof InterruptedIOException && "timeout".equals(e.getMessage())) {
      return "no answer within the call timeout";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + shorten(e.getMessage()));
  }
}
