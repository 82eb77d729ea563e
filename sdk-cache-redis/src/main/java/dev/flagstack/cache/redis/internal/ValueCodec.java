package dev.flagstack.cache.redis.internal;

import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;

/**
 * Stored value formats. Written: version 2, {@code 2|<tag>|<stamp>|<FlagValue.toJson()>}, where
 * {@code stamp} is the decimal epoch millis at which the load that found the value began (see
 * {@code FlagCache.putAll(entity, values, loadStartedMillis)}). Also read: version 1,
 * {@code 1|<tag>|<json>}, written before stamps existed, which counts as stamp 0. Tags: {@code B}
 * (boolean), {@code S} (string), {@code L} (long), {@code D} (double), {@code J} (JSON object or array). A
 * value that does not parse, or whose JSON reads back as another type than its tag, decodes to null: a
 * miss, never a wrong value.
 */
public final class ValueCodec {
  /** The stamp of a version-1 value, and of a value stored without a load time. */
  public static final long NO_STAMP = 0L;
  /** Most chars of a stamp: a sign and 19 digits. */
  private static final int MAX_STAMP_CHARS = 20;

  private ValueCodec() {}

  /** A decoded value and the time its load began. */
  public record Stamped(FlagValue value, long stampMillis) {}

  /** The stored form of {@code value}, loaded by a read that began at {@code stampMillis}. */
  public static String encode(FlagValue value, long stampMillis) {
    return "2|" + tag(value.type()) + '|' + stampMillis + '|' + value.toJson();
  }

  /** The value with its stamp, or null when {@code stored} is not a well-formed version-1 or -2 value. */
  public static Stamped decodeStamped(String stored) {
    if (stored == null || stored.length() < 5 || stored.charAt(1) != '|' || stored.charAt(3) != '|') {
      return null;
    }
    FlagType type = type(stored.charAt(2));
    if (type == null) {
      return null;
    }
    char version = stored.charAt(0);
    long stamp;
    int json;
    if (version == '1') {
      stamp = NO_STAMP;
      json = 4;
    } else if (version == '2') {
      int bar = stored.indexOf('|', 4);
      if (bar < 5 || bar > 4 + MAX_STAMP_CHARS) {
        return null;
      }
      try {
        stamp = Long.parseLong(stored, 4, bar, 10);
      } catch (NumberFormatException e) {
        return null;
      }
      json = bar + 1;
    } else {
      return null;
    }
    FlagValue value;
    try {
      value = FlagValue.fromJson(stored.substring(json));
    } catch (RuntimeException e) {
      return null;
    }
    return value.type() == type ? new Stamped(value, stamp) : null;
  }

  /** The value alone; see {@link #decodeStamped}. */
  public static FlagValue decode(String stored) {
    Stamped s = decodeStamped(stored);
    return s == null ? null : s.value();
  }

  private static char tag(FlagType type) {
    switch (type) {
      case BOOLEAN:
        return 'B';
      case STRING:
        return 'S';
      case LONG:
        return 'L';
      case DOUBLE:
        return 'D';
      case JSON:
        return 'J';
      default:
        throw new IllegalArgumentException("no tag for flag type " + type);
    }
  }

  private static FlagType type(char tag) {
    switch (tag) {
      case 'B':
        return FlagType.BOOLEAN;
      case 'S':
        return FlagType.STRING;
      case 'L':
        return FlagType.LONG;
      case 'D':
        return FlagType.DOUBLE;
      case 'J':
        return FlagType.JSON;
      default:
        return null;
    }
  }
}
