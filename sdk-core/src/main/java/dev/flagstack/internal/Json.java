package dev.flagstack.internal;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strict JSON for flag values, on jackson-core's streaming parser and generator (no data binding).
 * Objects become unmodifiable insertion-ordered maps, arrays unmodifiable lists, integer literals
 * {@link Long}, other numbers finite {@link Double}s. Everything a tree may hold is bounded by the limits
 * below, both when text is read and when a tree is built in code ({@link #freeze}), so that whatever
 * {@link #write} prints, {@link #parse} reads back to an equal tree.
 *
 * <p>Refused: anything outside RFC 8259 (comments, single quotes, {@code NaN}, {@code 01}, {@code +1},
 * {@code .5}, {@code 1.}, trailing commas, unquoted keys), duplicate keys, text after the value, an empty
 * input, an integer outside the {@code long} range (a clear error rather than a silently rounded double),
 * a number that overflows a double, and text that is not valid UTF-16 (an unpaired surrogate, raw or
 * escaped as {@code \uD800}). Error messages carry a line and column and at most
 * {@value #MAX_ERROR_MESSAGE_LENGTH} characters of explanation, never the input itself.
 */
public final class Json {
  /** Deepest nesting of objects and arrays accepted: 64 levels. */
  public static final int MAX_DEPTH = 64;
  /** Longest string value or object key, in UTF-16 chars: 1 MiB ({@code 1 << 20}). */
  public static final int MAX_STRING_LENGTH = 1 << 20;
  /**
   * Longest number literal, in chars (sign, point and exponent included): 100. A long needs at most 20
   * and {@link Double#toString} at most 24, so every number a flag value can hold fits; longer literals
   * only ever make the parser work. (Jackson's own limit counts digits and is enforced as a backstop that
   * stops a megabyte of digits early; the exact limit is ours.)
   */
  public static final int MAX_NUMBER_LENGTH = 100;
  /** Longest explanation in an error message, in chars. */
  static final int MAX_ERROR_MESSAGE_LENGTH = 200;

  /**
   * The one shared factory: immutable once built and safe to use from any thread. Field names are neither
   * interned nor kept in the factory's shared symbol table: keys come from caches and stores we do not
   * control, and a hostile one must not stay in memory after its parse.
   */
  static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(MAX_NUMBER_LENGTH)
          .maxStringLength(MAX_STRING_LENGTH)
          .maxNameLength(MAX_STRING_LENGTH)
          .build())
      .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .errorReportConfiguration(ErrorReportConfiguration.builder()
          .maxErrorTokenLength(64)
          .maxRawContentLength(0)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .build();

  private Json() {}

  /**
   * Parses exactly one JSON value.
   *
   * @throws IllegalArgumentException with the line, column and reason when {@code text} is not one valid
   *     JSON value within the limits
   */
  public static Object parse(String text) {
    return JsonReader.parse(text);
  }

  /**
   * Checks a string that goes into a flag value: at most {@link #MAX_STRING_LENGTH} chars and valid
   * UTF-16. {@code what} names it in the message ("a string flag value"); the string itself is never
   * echoed.
   *
   * @throws IllegalArgumentException if it is too long or holds an unpaired surrogate
   */
  public static String checkString(String s, String what) {
    if (s.length() > MAX_STRING_LENGTH) {
      throw new IllegalArgumentException(
          what + " is " + s.length() + " characters long; the limit is " + MAX_STRING_LENGTH);
    }
    int bad = Utf16.firstUnpairedSurrogate(s);
    if (bad >= 0) {
      throw new IllegalArgumentException(what + " contains an unpaired surrogate (U+"
          + Integer.toHexString(s.charAt(bad)).toUpperCase(Locale.ROOT) + ") at index " + bad
          + "; text must be valid UTF-16");
    }
    return s;
  }

  /**
   * Deep-copies a tree of maps, lists, strings, numbers, booleans and nulls into the immutable form
   * {@link #parse} produces: ints, shorts and bytes become longs, floats doubles. Checks every limit
   * {@link #parse} checks.
   *
   * @throws IllegalArgumentException for another type, a non-string key, a non-finite number, a string
   *     {@link #checkString} refuses, or nesting deeper than {@link #MAX_DEPTH}
   */
  public static Object freeze(Object value) {
    return freeze(value, 0);
  }

  /** {@code depth} is the number of objects and arrays around {@code value}. */
  private static Object freeze(Object value, int depth) {
    if (value == null || value instanceof Boolean || value instanceof Long) {
      return value;
    }
    if (value instanceof String) {
      return checkString((String) value, "a JSON string");
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON numbers must be finite, was " + d);
      }
      return d;
    }
    boolean map = value instanceof Map;
    if (!map && !(value instanceof List)) {
      throw new IllegalArgumentException("not a JSON type: " + value.getClass().getName());
    }
    if (depth >= MAX_DEPTH) {
      throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " levels");
    }
    if (map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        Object key = e.getKey();
        if (!(key instanceof String)) {
          throw new IllegalArgumentException("JSON object keys must be strings, was "
              + (key == null ? "null" : "a " + key.getClass().getName()));
        }
        copy.put(checkString((String) key, "a JSON object key"), freeze(e.getValue(), depth + 1));
      }
      return Collections.unmodifiableMap(copy);
    }
    List<?> list = (List<?>) value;
    List<Object> copy = new ArrayList<>(list.size());
    for (Object item : list) {
      copy.add(freeze(item, depth + 1));
    }
    return Collections.unmodifiableList(copy);
  }

  /**
   * Writes a tree that {@link #freeze} accepts as compact JSON. A double is printed by
   * {@link Double#toString}, which always keeps a decimal point, so it reads back as a double.
   */
  public static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(value, generator);
    } catch (JsonProcessingException e) {
      // Only a tree that freeze() did not check gets here, e.g. one nested too deep.
      throw new IllegalArgumentException("cannot write JSON: " + JsonReader.cap(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory failed", e);
    }
    return out.toString();
  }

  private static void write(Object value, JsonGenerator out) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof String) {
      out.writeString((String) value);
    } else if (value instanceof Boolean) {
      out.writeBoolean((Boolean) value);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON numbers must be finite, was " + d);
      }
      out.writeNumber(Double.toString(d));
    } else if (value instanceof Map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        out.writeFieldName(String.valueOf(e.getKey()));
        write(e.getValue(), out);
      }
      out.writeEndObject();
    } else if (value instanceof List) {
      out.writeStartArray();
      for (Object item : (List<?>) value) {
        write(item, out);
      }
      out.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON type: " + value.getClass().getName());
    }
  }
}
