package dev.flagstack.store.rest.internal;

import java.time.Duration;

/** Validation of builder settings, with messages that name the option and the bad value. */
public final class SettingChecks {
  private SettingChecks() {}

  /**
   * {@code value} if it lies in {@code [min, max]}, or is zero when {@code zeroMeans} (what zero does) is given.
   *
   * @throws IllegalArgumentException naming the option, the bounds and the value
   */
  public static Duration duration(String option, Duration value, Duration min, Duration max, String zeroMeans) {
    if (zeroMeans != null && value.isZero()) {
      return value;
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(option + " must be " + (zeroMeans == null ? "" : "zero (" + zeroMeans
          + ") or ") + "between " + text(min) + " and " + text(max) + ", was " + value);
    }
    return value;
  }

  /**
   * {@code value} if it lies in {@code [min, max]}.
   *
   * @throws IllegalArgumentException naming the option, the bounds and the value
   */
  public static long range(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /**
   * {@code id} if it could be an entity id: 1 to 256 characters, not blank, no control characters, no
   * unpaired surrogates (which JSON cannot carry).
   *
   * @throws IllegalArgumentException naming the option and showing the (shortened) value
   */
  public static String targetingKey(String option, String id) {
    boolean ok = !id.isBlank() && id.length() <= 256 && id.chars().noneMatch(Character::isISOControl);
    for (int i = 0; ok && i < id.length(); i++) {
      char c = id.charAt(i);
      ok = Character.isHighSurrogate(c) ? i + 1 < id.length() && Character.isLowSurrogate(id.charAt(++i))
          : !Character.isLowSurrogate(c);
    }
    if (!ok) {
      throw new IllegalArgumentException(option + " must be 1 to 256 characters, not blank, without control "
          + "characters or unpaired surrogates, was '" + Texts.shorten(id) + "'");
    }
    return id;
  }

  private static String text(Duration d) {
    if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
      return d.toMillis() + " ms";
    }
    long s = d.toSeconds();
    return s % 60 == 0 ? s / 60 + " minutes" : s + " s";
  }
}
