package dev.flagstack.store.mongo.internal;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import com.mongodb.client.model.Projections;

/**
 * Turns one flag document into a {@link FlagDefinition}, checking its shape strictly: anything the schema
 * in {@code MongoFlagStore}'s documentation does not allow is an {@link InvalidDefinitionException}, so a
 * bad document is reported rather than half-read.
 */
public final class FlagDocuments {
  /** The top-level fields a read needs; anything else an admin tool stores is not transferred. */
  public static final Bson PROJECTION = Projections.include("type", "value", "overrides", "rollout");

  private FlagDocuments() {}

  /** The definition held by {@code doc}, whose {@code _id} is the flag key. */
  public static FlagDefinition parse(BsonDocument doc) throws InvalidDefinitionException {
    BsonValue id = doc.get("_id");
    if (id == null || !id.isString()) {
      throw new InvalidDefinitionException(String.valueOf(id), "_id must be a string");
    }
    String key = id.asString().getValue();
    FlagType declared = declaredType(key, doc.get("type"));
    FlagDefinition.Builder builder = FlagDefinition.builder().key(key)
        .defaultValue(value(key, doc.get("value"), declared, "value"));

    BsonValue overrides = doc.get("overrides");
    if (overrides != null && !overrides.isNull()) {
      if (!overrides.isArray()) {
        throw new InvalidDefinitionException(key, "overrides must be an array of {entity, value} documents, was "
            + typeName(overrides));
      }
      BsonArray array = overrides.asArray();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < array.size(); i++) {
        String where = "overrides[" + i + "]";
        BsonValue item = array.get(i);
        if (!item.isDocument()) {
          throw new InvalidDefinitionException(key, where + " must be a document, was " + typeName(item));
        }
        BsonValue entity = item.asDocument().get("entity");
        if (entity == null || !entity.isString() || entity.asString().getValue().isEmpty()) {
          throw new InvalidDefinitionException(key, where + ".entity must be a non-empty string");
        }
        String id2 = entity.asString().getValue();
        if (!seen.add(id2)) {
          throw new InvalidDefinitionException(key, where + " repeats an entity that already has an override");
        }
        builder.override(id2, value(key, item.asDocument().get("value"), declared, where + ".value"));
      }
    }

    BsonValue rollout = doc.get("rollout");
    if (rollout != null && !rollout.isNull()) {
      if (!rollout.isDocument()) {
        throw new InvalidDefinitionException(key, "rollout must be a document {percentage, value}, was "
            + typeName(rollout));
      }
      BsonValue pct = rollout.asDocument().get("percentage");
      if (pct == null || !(pct.isInt32() || pct.isInt64() || pct.isDouble())) {
        throw new InvalidDefinitionException(key, "rollout.percentage must be a number from 0 to 100, was "
            + (pct == null ? "missing" : typeName(pct)));
      }
      double percentage = pct.asNumber().doubleValue();
      if (!(percentage >= 0 && percentage <= 100)) {
        throw new InvalidDefinitionException(key, "rollout.percentage must be from 0 to 100, was " + percentage);
      }
      builder.rollout(Rollout.ofPercentage(percentage,
          value(key, rollout.asDocument().get("value"), declared, "rollout.value")));
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(key, e.getMessage());
    }
  }

  private static FlagType declaredType(String key, BsonValue type) throws InvalidDefinitionException {
    if (type == null || type.isNull()) {
      return null;
    }
    if (type.isString()) {
      switch (type.asString().getValue()) {
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
          break;
      }
    }
    throw new InvalidDefinitionException(key, "type must be one of \"boolean\", \"string\", \"long\", \"double\", "
        + "\"json\", was " + (type.isString() ? '"' + type.asString().getValue() + '"' : typeName(type)));
  }

  private static FlagValue value(String key, BsonValue v, FlagType declared, String where)
      throws InvalidDefinitionException {
    if (v == null || v.isNull()) {
      throw new InvalidDefinitionException(key, where + " is missing");
    }
    FlagValue value;
    try {
      switch (v.getBsonType()) {
        case BOOLEAN:
          value = FlagValue.of(v.asBoolean().getValue());
          break;
        case STRING:
          value = FlagValue.of(v.asString().getValue());
          break;
        case INT32:
          value = FlagValue.of((long) v.asInt32().getValue());
          break;
        case INT64:
          value = FlagValue.of(v.asInt64().getValue());
          break;
        case DOUBLE:
          value = FlagValue.of(v.asDouble().getValue());
          break;
        case DOCUMENT:
          value = FlagValue.object(jsonObject(key, v.asDocument(), where));
          break;
        case ARRAY:
          value = FlagValue.array(jsonArray(key, v.asArray(), where));
          break;
        default:
          throw new InvalidDefinitionException(key, where + " has unsupported BSON type " + typeName(v));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException(key, where + " is not a valid flag value: " + e.getMessage());
    }
    if (declared == null || declared == value.type()) {
      return value;
    }
    if (declared == FlagType.DOUBLE && value.type() == FlagType.LONG) {
      return FlagValue.of((double) value.longValue());
    }
    throw new InvalidDefinitionException(key, where + " is " + value.type() + ", but type is \""
        + declared.name().toLowerCase(Locale.ROOT) + '"');
  }

  private static Map<String, Object> jsonObject(String key, BsonDocument doc, String where)
      throws InvalidDefinitionException {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, BsonValue> e : doc.entrySet()) {
      map.put(e.getKey(), json(key, e.getValue(), where));
    }
    return map;
  }

  private static List<Object> jsonArray(String key, BsonArray array, String where)
      throws InvalidDefinitionException {
    List<Object> list = new ArrayList<>(array.size());
    for (BsonValue item : array) {
      list.add(json(key, item, where));
    }
    return list;
  }

  private static Object json(String key, BsonValue v, String where) throws InvalidDefinitionException {
    switch (v.getBsonType()) {
      case NULL:
        return null;
      case BOOLEAN:
        return v.asBoolean().getValue();
      case STRING:
        return v.asString().getValue();
      case INT32:
        return (long) v.asInt32().getValue();
      case INT64:
        return v.asInt64().getValue();
      case DOUBLE:
        return v.asDouble().getValue();
      case DOCUMENT:
        return jsonObject(key, v.asDocument(), where);
      case ARRAY:
        return jsonArray(key, v.asArray(), where);
      default:
        throw new InvalidDefinitionException(key, where + " holds unsupported BSON type " + typeName(v));
    }
  }

  private static String typeName(BsonValue v) {
    return v.getBsonType().name();
  }
}
