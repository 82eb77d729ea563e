package dev.flagstack.internal;

import dev.flagstack.FlagException;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;

/** How one flag of a read ended: a value and where it came from, or an error. */
public final class Resolution {
  private final FlagValue value;
  private final FlagSource source;
  private final String layer;
  private final FlagException error;

  private Resolution(FlagValue value, FlagSource source, String layer, FlagException error) {
    this.value = value;
    this.source = source;
    this.layer = layer;
    this.error = error;
  }

  public static Resolution served(FlagValue value, FlagSource source, String layer) {
    return new Resolution(value, source, layer, null);
  }

  public static Resolution failed(FlagException error) {
    return new Resolution(null, FlagSource.DEFAULT, null, error);
  }

  /** The value, or null if {@link #error()} is set. */
  public FlagValue value() {
    return value;
  }

  public FlagSource source() {
    return source;
  }

  public String layer() {
    return layer;
  }

  /** The error, or null if a value was served. */
  public FlagException error() {
    return error;
  }
}
