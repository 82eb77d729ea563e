package dev.flagstack;

import java.util.Objects;

/**
 * The outcome of a read that never throws: the value served, where it came from, and why the default was
 * served if it was. Returned by {@link FlagClient#getFlagDetail(String, String, FlagValue)}.
 */
public final class FlagDetail {
  private final FlagValue value;
  private final FlagSource source;
  private final String layer;
  private final FlagErrorKind errorKind;

  private FlagDetail(FlagValue value, FlagSource source, String layer, FlagErrorKind errorKind) {
    this.value = value;
    this.source = Objects.requireNonNull(source, "source");
    this.layer = layer;
    this.errorKind = errorKind;
  }

  /** A value served by the layer {@code layer} playing {@code source}. */
  public static FlagDetail served(FlagValue value, FlagSource source, String layer) {
    return new FlagDetail(Objects.requireNonNull(value, "value"), source, layer, null);
  }

  /**
   * The caller's default, served because of {@code errorKind}. {@code defaultValue} may be null only for
   * the detail of a read whose caller passed a null default (see {@link #value()}).
   */
  public static FlagDetail defaulted(FlagValue defaultValue, FlagErrorKind errorKind) {
    return new FlagDetail(defaultValue, FlagSource.DEFAULT, null, Objects.requireNonNull(errorKind, "errorKind"));
  }

  /**
   * The value served: the flag's value, or the caller's default when {@link #source()} is DEFAULT. Null
   * only when the caller passed a null default, which is refused as {@link FlagErrorKind#INVALID_REQUEST}.
   */
  public FlagValue value() {
    return value;
  }

  /** Where the value came from. */
  public FlagSource source() {
    return source;
  }

  /** The name of the layer that answered (for STALE, the layer the value first came from); null for DEFAULT. */
  public String layer() {
    return layer;
  }

  /** Why the default was served; null unless {@link #source()} is DEFAULT. */
  public FlagErrorKind errorKind() {
    return errorKind;
  }

  /** Whether the caller's default was served. */
  public boolean isDefault() {
    return source == FlagSource.DEFAULT;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FlagDetail)) {
      return false;
    }
    FlagDetail that = (FlagDetail) o;
    return Objects.equals(value, that.value) && source == that.source && Objects.equals(layer, that.layer)
        && errorKind == that.errorKind;
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, source, layer, errorKind);
  }

  @Override
  public String toString() {
    return "FlagDetail{value=" + value + ", source=" + source + (layer == null ? "" : ", layer=" + layer)
        + (errorKind == null ? "" : ", errorKind=" + errorKind) + '}';
  }
}
