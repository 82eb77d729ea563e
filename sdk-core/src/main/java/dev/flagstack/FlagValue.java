package dev.flagstack;

import dev.flagstack.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable flag value: a boolean, a string, a long, a finite double, or a JSON object or array.
 *
 * <p>Typed accessors ({@link #booleanValue()}, {@link #stringValue()}, ...) return primitives without
 * allocating and throw {@link FlagTypeMismatchException} when the value holds another type. A value
 * round-trips through {@link #toJson()} and {@link #fromJson(String)}: a double always keeps its decimal
 * point, so it reads back as a double.
 *
 * <p>Every string in a value (a string value, and each string and key inside an object or array) must be
 * valid UTF-16 and at most {@value dev.flagstack.internal.Json#MAX_STRING_LENGTH} chars long; objects and
 * arrays nest at most {@value dev.flagstack.internal.Json#MAX_DEPTH} levels deep. These are checked once,
 * when a value is made, and are the limits {@link #fromJson(String)} applies, so that any value survives
 * every cache and store unchanged: an unpaired surrogate has no UTF-8 form and would come back as another
 * string.
 */
public final class FlagValue {
  /** The boolean {@code true}. */
  public static final FlagValue TRUE = new FlagValue(FlagType.BOOLEAN, true, 0, 0, null);
  /** The boolean {@code false}. */
  public static final FlagValue FALSE = new FlagValue(FlagType.BOOLEAN, false, 0, 0, null);

  private final FlagType type;
  private final boolean booleanValue;
  private final long longValue;
  private final double doubleValue;
  /** The String for STRING, the frozen Map or List for JSON. */
  private final Object ref;

  private FlagValue(FlagType type, boolean b, long l, double d, Object ref) {
    this.type = type;
    this.booleanValue = b;
    this.longValue = l;
    this.doubleValue = d;
    this.ref = ref;
  }

  /** A boolean value; returns the shared {@link #TRUE} or {@link #FALSE}. */
  public static FlagValue of(boolean value) {
    return value ? TRUE : FALSE;
  }

  /**
   * A string value.
   *
   * @throws IllegalArgumentException if it is longer than the limit or holds an unpaired surrogate
   */
  public static FlagValue of(String value) {
    Json.checkString(Objects.requireNonNull(value, "value"), "a string flag value");
    return new FlagValue(FlagType.STRING, false, 0, 0, value);
  }

  /** A 64-bit integer value. */
  public static FlagValue of(long value) {
    return new FlagValue(FlagType.LONG, false, value, 0, null);
  }

  /** A floating point value; must be finite. */
  public static FlagValue of(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a flag value must be finite, was " + value);
    }
    return new FlagValue(FlagType.DOUBLE, false, 0, value, null);
  }

  /**
   * A JSON object made from a map of strings, numbers, booleans, nulls, maps and lists (deep-copied).
   *
   * @throws IllegalArgumentException for another type, a non-finite number, a string or key over the limit
   *     or with an unpaired surrogate, or nesting over the limit
   */
  public static FlagValue object(Map<String, ?> value) {
    return new FlagValue(FlagType.JSON, false, 0, 0, Json.freeze(Objects.requireNonNull(value, "value")));
  }

  /**
   * A JSON array made from a list of strings, numbers, booleans, nulls, maps and lists (deep-copied).
   *
   * @throws IllegalArgumentException as {@link #object(Map)} does
   */
  public static FlagValue array(List<?> value) {
    return new FlagValue(FlagType.JSON, false, 0, 0, Json.freeze(Objects.requireNonNull(value, "value")));
  }

  /**
   * Reads a value from JSON text: {@code true}/{@code false} become booleans, a quoted string a string,
   * an integer literal a long, any other number a double, an object or array a JSON value. The grammar is
   * strict RFC 8259; duplicate keys, an integer outside the long range and text after the value are
   * refused, and so are strings and nesting over the limits above. The message names line, column and
   * reason and never repeats the input.
   *
   * @throws IllegalArgumentException if the text is not one valid JSON value within the limits, or is JSON
   *     {@code null}
   * @throws NullPointerException if {@code json} is null
   */
  public static FlagValue fromJson(String json) {
    Object parsed = Json.parse(Objects.requireNonNull(json, "json"));
    return fromTree(parsed);
  }

  private static FlagValue fromTree(Object parsed) {
    if (parsed instanceof Boolean) {
      return of((boolean) (Boolean) parsed);
    }
    if (parsed instanceof String) {
      return of((String) parsed);
    }
    if (parsed instanceof Long) {
      return of((long) (Long) parsed);
    }
    if (parsed instanceof Double) {
      return of((double) (Double) parsed);
    }
    if (parsed instanceof Map || parsed instanceof List) {
      return new FlagValue(FlagType.JSON, false, 0, 0, parsed);
    }
    throw new IllegalArgumentException("a flag value cannot be JSON null");
  }

  /**
   * Converts a plain Java value (Boolean, String, integral Number, other Number, Map, List) to a flag
   * value, as a store reading a document would.
   *
   * @throws IllegalArgumentException for null or an unsupported type
   */
  public static FlagValue fromObject(Object value) {
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return of(((Number) value).longValue());
    }
    if (value instanceof Float) {
      return of(((Float) value).doubleValue());
    }
    if (value instanceof Map || value instanceof List) {
      return fromTree(Json.freeze(value));
    }
    if (value == null) {
      throw new IllegalArgumentException("a flag value cannot be null");
    }
    if (value instanceof Boolean || value instanceof String || value instanceof Long || value instanceof Double) {
      return fromTree(value);
    }
    throw new IllegalArgumentException("unsupported flag value type: " + value.getClass().getName());
  }

  /** The type this value holds. */
  public FlagType type() {
    return type;
  }

  /** The boolean; throws {@link FlagTypeMismatchException} unless {@link #type()} is BOOLEAN. */
  public boolean booleanValue() {
    check(FlagType.BOOLEAN);
    return booleanValue;
  }

  /** The string; throws {@link FlagTypeMismatchException} unless {@link #type()} is STRING. */
  public String stringValue() {
    check(FlagType.STRING);
    return (String) ref;
  }

  /** The long; throws {@link FlagTypeMismatchException} unless {@link #type()} is LONG. */
  public long longValue() {
    check(FlagType.LONG);
    return longValue;
  }

  /** The number as a double; works for DOUBLE and LONG values. */
  public double doubleValue() {
    if (type == FlagType.LONG) {
      return longValue;
    }
    check(FlagType.DOUBLE);
    return doubleValue;
  }

  /**
   * The JSON tree: an unmodifiable {@code Map<String, Object>} or {@code List<Object>} whose leaves are
   * String, Long, Double, Boolean or null. Throws unless {@link #type()} is JSON.
   */
  public Object jsonValue() {
    check(FlagType.JSON);
    return ref;
  }

  /** This value as JSON text, which {@link #fromJson(String)} reads back to an equal value. */
  public String toJson() {
    switch (type) {
      case BOOLEAN:
        return booleanValue ? "true" : "false";
      case LONG:
        return Long.toString(longValue);
      case DOUBLE:
        return Double.toString(doubleValue);
      default:
        return Json.write(ref);
    }
  }

  private void check(FlagType expected) {
    if (type != expected) {
      throw new FlagTypeMismatchException(expected, type);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FlagValue)) {
      return false;
    }
    FlagValue that = (FlagValue) o;
    return type == that.type
        && booleanValue == that.booleanValue
        && longValue == that.longValue
        && Double.compare(doubleValue, that.doubleValue) == 0
        && Objects.equals(ref, that.ref);
  }

  @Override
  public int hashCode() {
    int h = type.hashCode();
    h = 31 * h + Boolean.hashCode(booleanValue);
    h = 31 * h + Long.hashCode(longValue);
    h = 31 * h + Double.hashCode(doubleValue);
    return 31 * h + Objects.hashCode(ref);
  }

  @Override
  public String toString() {
    return type + ":" + toJson();
  }
}
