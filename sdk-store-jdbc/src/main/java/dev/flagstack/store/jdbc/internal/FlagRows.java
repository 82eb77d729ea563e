package dev.flagstack.store.jdbc.internal;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one row of the flags table into a {@link FlagDefinition}, checking its shape strictly: anything
 * the schema in {@code JdbcFlagStore}'s documentation does not allow is an
 * {@link InvalidDefinitionException}, so a bad row is reported rather than half-read. Every JSON column
 * is read as text and parsed by {@link FlagValue#fromJson}, the core's one JSON reader, so {@code json},
 * {@code text} and {@code jsonb} (which rewrites numbers) columns all work.
 */
public final class FlagRows {
  private static final int MAX_QUOTED = 80;

  private FlagRows() {}

  /**
   * The definition held by one row. Every argument but {@code key} is the column's text, or null for SQL
   * NULL.
   */
  public static FlagDefinition parse(String key, String valueType, String defaultValue, String overrides,
      String rolloutBasisPoints, String rolloutValue) throws InvalidDefinitionException {
    FlagType declared = declaredType(key, valueType);
    FlagDefinition.Builder builder;
    try {
      builder = FlagDefinition.builder().key(key);
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(key, "flag_key is not a valid key: " + e.getMessage());
    }
    if (defaultValue == null) {
      throw new InvalidDefinitionException(key, "default_value is missing");
    }
    builder.defaultValue(value(key, FlagValue::fromJson, defaultValue, declared, "default_value"));
    if (overrides != null) {
      readOverrides(key, overrides, declared, builder);
    }
    if (rolloutBasisPoints != null || rolloutValue != null) {
      if (rolloutBasisPoints == null || rolloutValue == null) {
        throw new InvalidDefinitionException(key, "rollout_basis_points and rollout_value must be set together");
      }
      int basisPoints = basisPoints(key, rolloutBasisPoints);
      builder.rollout(Rollout.ofBasisPoints(basisPoints,
          value(key, FlagValue::fromJson, rolloutValue, declared, "rollout_value")));
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidDefinitionException(key, e.getMessage());
    }
  }

  private static void readOverrides(String key, String json, FlagType declared, FlagDefinition.Builder builder)
      throws InvalidDefinitionException {
    FlagValue parsed;
    try {
      parsed = FlagValue.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(key, "overrides is not valid JSON: " + e.getMessage());
    }
    if (parsed.type() != FlagType.JSON || !(parsed.jsonValue() instanceof Map)) {
      throw new InvalidDefinitionException(key, "overrides must be a JSON object {\"<entity>\": <value>, ...}, was "
          + describe(parsed));
    }
    for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed.jsonValue()).entrySet()) {
      String entity = (String) e.getKey();
      String where = "overrides[" + quote(entity) + "]";
      if (entity.isEmpty()) {
        throw new InvalidDefinitionException(key, "overrides has an empty entity id");
      }
      if (e.getValue() == null) {
        throw new InvalidDefinitionException(key, where + " is JSON null");
      }
      builder.override(entity, value(key, FlagValue::fromObject, e.getValue(), declared, where));
    }
  }

  private static int basisPoints(String key, String text) throws InvalidDefinitionException {
    int bp;
    try {
      bp = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidDefinitionException(key, "rollout_basis_points must be an integer from 0 to "
          + Rollout.MAX_BASIS_POINTS + ", was " + quote(text));
    }
    if (bp < 0 || bp > Rollout.MAX_BASIS_POINTS) {
      throw new InvalidDefinitionException(key, "rollout_basis_points must be from 0 to "
          + Rollout.MAX_BASIS_POINTS + ", was " + bp);
    }
    return bp;
  }

  private static FlagType declaredType(String key, String type) throws InvalidDefinitionException {
    if (type == null) {
      return null;
    }
    switch (type) {
      case "boolean":
        return FlagType.BOOLEAN;
      case "string":
        return FlagType.STRING;
      case "long":
        return FlagType.LONG;
      case "double":
        return FlagType.DOUBLE;
      case "json":
        return FlagType.JSON;
      default:
        throw new InvalidDefinitionException(key, "value_type must be one of 'boolean', 'string', 'long', "
            + "'double', 'json' or NULL, was " + quote(type));
    }
  }

  /** A reader of one value from its source form (JSON text, or a parsed JSON tree). */
  private interface ValueReader<T> {
    FlagValue read(T source);
  }

  private static <T> FlagValue value(String key, ValueReader<T> reader, T source, FlagType declared, String where)
      throws InvalidDefinitionException {
    FlagValue value;
    try {
      value = reader.read(source);
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(key, where + " is not a valid flag value: " + e.getMessage());
    }
    if (declared == null || declared == value.type()) {
      return value;
    }
    if (declared == FlagType.DOUBLE && value.type() == FlagType.LONG) {
      return FlagValue.of((double) value.longValue());
    }
    throw new InvalidDefinitionException(key, where + " is " + value.type() + ", but value_type is '"
        + declared.name().toLowerCase(Locale.ROOT) + "'");
  }

  private static String describe(FlagValue v) {
    return v.type() == FlagType.JSON ? "an array" : v.type().name();
  }

  /** {@code s} in single quotes, shortened so a huge cell cannot flood a message. */
  static String quote(String s) {
    String shown = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "..." : s;
    return "'" + shown + "'";
  }
}
