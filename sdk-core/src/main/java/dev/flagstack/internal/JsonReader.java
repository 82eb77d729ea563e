package dev.flagstack.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads one value from a {@link JsonParser} of {@link Json#FACTORY} into the frozen tree form. Recursion
 * is bounded by the factory's nesting limit, which the parser enforces before a container is opened.
 */
final class JsonReader {
  private final JsonParser parser;

  private JsonReader(JsonParser parser) {
    this.parser = parser;
  }

  static Object parse(String text) {
    Objects.requireNonNull(text, "text");
    JsonParser parser;
    try {
      parser = Json.FACTORY.createParser(text);
    } catch (IOException e) {
      throw new UncheckedIOException("opening a parser on a string failed", e);
    }
    try {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw malformed(parser.currentLocation(), "no value, the input is empty or blank");
      }
      Object value = new JsonReader(parser).value(first);
      if (parser.nextToken() != null) {
        throw malformed(parser.currentTokenLocation(), "more text after the value");
      }
      return value;
    } catch (StreamConstraintsException e) {
      // The parser opens the child context before it checks its depth, so a too-deep one is visible here.
      if (parser.getParsingContext().getNestingDepth() > Json.MAX_DEPTH) {
        throw new IllegalArgumentException("JSON over a limit" + where(parser.currentTokenLocation())
            + ": nested deeper than " + Json.MAX_DEPTH + " levels");
      }
      throw new IllegalArgumentException(
          "JSON over a limit" + where(location(e, parser)) + ": " + cap(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw malformed(location(e, parser), e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading JSON from a string failed", e);
    } finally {
      try {
        parser.close();
      } catch (IOException ignored) {
        // Closing a parser over a string releases buffers only; nothing can be lost.
      }
    }
  }

  private Object value(JsonToken token) throws IOException {
    if (token == null) {
      throw malformed(parser.currentLocation(), "unexpected end of input");
    }
    switch (token) {
      case START_OBJECT:
        return object();
      case START_ARRAY:
        return array();
      case VALUE_STRING:
        return text(parser.getText(), "a string");
      case VALUE_NUMBER_INT:
        checkNumberLength();
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw malformed(parser.currentTokenLocation(),
              "integer " + parser.getText() + " is outside the 64-bit range");
        }
        return parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        checkNumberLength();
        double d = parser.getDoubleValue();
        if (!Double.isFinite(d)) {
          throw malformed(parser.currentTokenLocation(), "number " + parser.getText() + " overflows a double");
        }
        return d;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw malformed(parser.currentTokenLocation(), "unexpected " + token);
    }
  }

  private void checkNumberLength() throws IOException {
    int length = parser.getTextLength();
    if (length > Json.MAX_NUMBER_LENGTH) {
      throw new IllegalArgumentException("JSON over a limit" + where(parser.currentTokenLocation())
          + ": a number literal is " + length + " chars long; the limit is " + Json.MAX_NUMBER_LENGTH);
    }
  }

  private Map<String, Object> object() throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String key = text(parser.currentName(), "an object key");
      map.put(key, value(parser.nextToken()));
    }
    if (token != JsonToken.END_OBJECT) {
      throw malformed(parser.currentLocation(), "unexpected end of input in an object");
    }
    return Collections.unmodifiableMap(map);
  }

  private List<Object> array() throws IOException {
    List<Object> list = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      list.add(value(token));
    }
    return Collections.unmodifiableList(list);
  }

  private String text(String s, String what) {
    try {
      return Json.checkString(s, what);
    } catch (IllegalArgumentException e) {
      throw malformed(parser.currentTokenLocation(), e.getMessage());
    }
  }

  private static JsonLocation location(JsonProcessingException e, JsonParser parser) {
    return e.getLocation() != null ? e.getLocation() : parser.currentLocation();
  }

  private static IllegalArgumentException malformed(JsonLocation at, String reason) {
    return new IllegalArgumentException("malformed JSON" + where(at) + ": " + cap(reason));
  }

  private static String where(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Cuts a reason to {@link Json#MAX_ERROR_MESSAGE_LENGTH} chars, so no message can carry the input. */
  static String cap(String reason) {
    if (reason == null) {
      return "unknown reason";
    }
    if (reason.length() <= Json.MAX_ERROR_MESSAGE_LENGTH) {
      return reason;
    }
    int end = Json.MAX_ERROR_MESSAGE_LENGTH - 3;
    if (Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--;
    }
    return reason.substring(0, end) + "...";
  }
}
