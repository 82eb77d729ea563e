package dev.flagstack;

import java.time.Duration;
import java.util.Objects;

/** Shared argument checks for the builders in this package. */
final class Settings {
  private Settings() {}

  static Duration atLeastOneMilli(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
    }
    return d;
  }

  static int positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return value;
  }
}
