package dev.flagstack.cache.redis.internal;

import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;

/**
 * Stored value format, version 1: {@code 1|<tag>|<FlagValue.toJson()>} with tag {@code B} (boolean),
 * {@code S} (string), {@code L} (long), {@code D} (double) or {@code J} (JSON object or array). A value that
 * does not parse, or whose JSON reads back as another type than its tag, decodes to null: a miss, never a
 * wrong value.
 */
public final class ValueCodec {
  private ValueCodec() {}

  /** The stored form of {@code value}. */
  public static String encode(FlagValue value) {
    return "1|" + tag(value.type()) + '|' + value.toJson();
  }

  /** The value, or null when {@code stored} is not a well-formed version-1 value. */
  public static FlagValue decode(String stored) {
    if (stored == null || stored.length() < 5 || stored.charAt(0) != '1' || stored.charAt(1) != '|'
        || stored.charAt(3) != '|') {
      return null;
    }
    FlagType type = type(stored.charAt(2));
    if (type == null) {
      return null;
    }
    FlagValue value;
    try {
      value = FlagValue.fromJson(stored.substring(4));
    } catch (RuntimeException e) {
      return null;
    }
    return value.type() == type ? value : null;
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
