package dev.flagstack.store.rest.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.flagstack.FlagValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes OFREP requests and reads OFREP replies with Jackson's streaming parser, within limits: nesting
 * depth, string and number lengths, document length, duplicate names refused, and no reply text in
 * error locations.
 */
public final class OfrepJson {
  /** Deepest nesting accepted in a flag value, the same bound flag values have in the core. */
  public static final int MAX_DEPTH = 64;
  /**
   * Levels of a bulk reply around a value ({@code {"flags":[{"value":...}]}}): the parser allows them on
   * top of {@link #MAX_DEPTH}, so a value as deep as the core allows fits, and the value's own depth is
   * checked when it becomes a {@link FlagValue}.
   */
  static final int ENVELOPE_DEPTH = 3;
  /** Longest number literal accepted. */
  static final int MAX_NUMBER_LENGTH = 100;

  private final JsonFactory factory;

  public OfrepJson(long maxBytes) {
    int maxString = (int) Math.min(maxBytes, Integer.MAX_VALUE);
    StreamReadConstraints limits = StreamReadConstraints.builder()
        .maxDocumentLength(maxBytes)
        .maxNestingDepth(MAX_DEPTH + ENVELOPE_DEPTH)
        .maxNumberLength(MAX_NUMBER_LENGTH)
        .maxStringLength(maxString)
        .maxNameLength(maxString)
        .build();
    this.factory = JsonFactory.builder()
        .streamReadConstraints(limits)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
  }

  /** {@code {"context":{"targetingKey":"<entity>"}}} as UTF-8. */
  public byte[] request(String entity) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(40 + entity.length() * 3);
    try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeFieldName("context");
      g.writeStartObject();
      g.writeStringField("targetingKey", entity);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("entity cannot be written as JSON: " + e.getClass().getSimpleName(), e);
    }
    return out.toByteArray();
  }

  /** Reads a single-flag reply: one evaluation object, success or failure. */
  public Evaluation readEvaluation(InputStream in) throws IOException {
    try (JsonParser p = factory.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadReplyException("the reply is not a JSON object");
      }
      Evaluation e = evaluation(p, false);
      end(p);
      return e;
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    }
  }

  /**
   * Reads a bulk reply, keeping the evaluations of the {@code wanted} flags; a flag that is not in the
   * reply is absent from the map.
   *
   * @throws BadReplyException if {@code flags} is missing, an item is not an object or has no key, or a
   *     wanted flag appears twice
   */
  public Map<String, Evaluation> readBulk(InputStream in, Set<String> wanted) throws IOException {
    return readBulk(in, wanted, false);
  }

  /**
   * Reads a bulk reply in full, for change polling: every flag's evaluation, with its variant and
   * metadata, which reads never need.
   *
   * @throws BadReplyException as {@link #readBulk(InputStream, Set)}, and when any flag appears twice
   */
  public Map<String, Evaluation> readAllFlags(InputStream in) throws IOException {
    return readBulk(in, null, true);
  }

  /** {@code wanted} null means every flag. */
  private Map<String, Evaluation> readBulk(InputStream in, Set<String> wanted, boolean full) throws IOException {
    try (JsonParser p = factory.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadReplyException("the reply is not a JSON object");
      }
      Map<String, Evaluation> found = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("flags".equals(name)) {
          if (t != JsonToken.START_ARRAY) {
            throw new BadReplyException("'flags' is not an array");
          }
          found = flags(p, wanted, full);
        } else {
          p.skipChildren();
        }
      }
      end(p);
      if (found == null) {
        throw new BadReplyException("the bulk reply has no 'flags' array");
      }
      return found;
    } catch (JsonProcessingException e) {
      throw invalidJson(e);
    }
  }

  /** Reads an error body leniently: its evaluation fields, or null when it is not such JSON. */
  public Evaluation readErrorBody(InputStream in) {
    try {
      return readEvaluation(in);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private Map<String, Evaluation> flags(JsonParser p, Set<String> wanted, boolean full) throws IOException {
    Map<String, Evaluation> found = new HashMap<>(Math.min(wanted == null ? 64 : wanted.size(), 4096) * 2);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw new BadReplyException("an item of 'flags' is not an object");
      }
      Evaluation e = evaluation(p, full);
      if (e.key == null) {
        throw new BadReplyException("an item of 'flags' has no 'key'");
      }
      if ((wanted == null || wanted.contains(e.key)) && found.put(e.key, e) != null) {
        throw new BadReplyException("flag '" + Texts.shorten(e.key) + "' appears twice in 'flags'");
      }
    }
    return found;
  }

  /**
   * Reads the fields of an evaluation object whose START_OBJECT is the current token; {@code full} also
   * keeps the variant and metadata.
   */
  private Evaluation evaluation(JsonParser p, boolean full) throws IOException {
    String key = null;
    String errorCode = null;
    String errorDetails = null;
    String reason = null;
    String variant = null;
    Map<String, Object> metadata = null;
    FlagValue value = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "key":
          key = string(p, t, "key", false);
          break;
        case "value":
          value = value(p, t);
          break;
        case "reason":
          reason = string(p, t, "reason", true);
          break;
        case "variant":
          variant = string(p, t, "variant", true);
          break;
        case "errorCode":
          errorCode = string(p, t, "errorCode", true);
          break;
        case "errorDetails":
          errorDetails = string(p, t, "errorDetails", true);
          break;
        case "metadata":
          if (t != JsonToken.START_OBJECT && t != JsonToken.VALUE_NULL) {
            throw new BadReplyException("'metadata' is not an object");
          }
          if (full && t == JsonToken.START_OBJECT) {
            metadata = object(p);
          } else {
            p.skipChildren();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    return full ? new Evaluation(key, value, errorCode, errorDetails, reason, variant, metadata)
        : new Evaluation(key, value, errorCode, errorDetails, reason, null, null);
  }

  private static String string(JsonParser p, JsonToken t, String field, boolean nullable) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (nullable && t == JsonToken.VALUE_NULL) {
      return null;
    }
    throw new BadReplyException("'" + field + "' is not a string but " + describe(t));
  }

  private static FlagValue value(JsonParser p, JsonToken t) throws IOException {
    try {
      return flagValue(p, t);
    } catch (IllegalArgumentException e) {
      throw new BadReplyException("'value' is not a valid flag value: " + Texts.shorten(e.getMessage()));
    }
  }

  private static FlagValue flagValue(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_TRUE:
        return FlagValue.TRUE;
      case VALUE_FALSE:
        return FlagValue.FALSE;
      case VALUE_STRING:
        return FlagValue.of(p.getText());
      case VALUE_NUMBER_INT:
        return FlagValue.of(longValue(p));
      case VALUE_NUMBER_FLOAT:
        return FlagValue.of(doubleValue(p));
      case START_OBJECT:
        return FlagValue.object(object(p));
      case START_ARRAY:
        return FlagValue.array(array(p));
      default:
        throw new BadReplyException("'value' is " + describe(t) + ", not a flag value");
    }
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      map.put(name, node(p, p.nextToken()));
    }
    return map;
  }

  private static List<Object> array(JsonParser p) throws IOException {
    List<Object> list = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      list.add(node(p, t));
    }
    return list;
  }

  private static Object node(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_NULL:
        return null;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return longValue(p);
      case VALUE_NUMBER_FLOAT:
        return doubleValue(p);
      case START_OBJECT:
        return object(p);
      case START_ARRAY:
        return array(p);
      default:
        throw new BadReplyException("unexpected " + describe(t) + " in 'value'");
    }
  }

  private static long longValue(JsonParser p) throws IOException {
    JsonParser.NumberType type = p.getNumberType();
    if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
      throw new BadReplyException("an integer in 'value' is outside the 64-bit range");
    }
    return p.getLongValue();
  }

  private static double doubleValue(JsonParser p) throws IOException {
    double d = p.getDoubleValue();
    if (!Double.isFinite(d)) {
      throw new BadReplyException("a number in 'value' is outside the double range");
    }
    return d;
  }

  private static void end(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new BadReplyException("the reply has data after its JSON value");
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "missing";
    }
    switch (t) {
      case VALUE_NULL:
        return "null";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      default:
        return t.name();
    }
  }

  private static BadReplyException invalidJson(JsonProcessingException e) {
    String why = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    return new BadReplyException("the reply is not valid JSON: " + Texts.shorten(why));
  }
}
