package dev.flagstack.store.grpc;

import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;
import java.util.Objects;

/**
 * Converts between {@link FlagValue} and the {@code flagstack.v1.FlagValue} message, by the rules of the
 * protocol: a boolean, a string, a 64-bit integer, a finite double, or the JSON text of an object or an
 * array. A server written in Java uses {@link #toProto} to answer exactly as this client reads.
 */
public final class ProtocolValues {
  private ProtocolValues() {}

  /** The protocol form of {@code value}; a JSON value becomes its compact JSON text. */
  public static dev.flagstack.store.grpc.v1.FlagValue toProto(FlagValue value) {
    Objects.requireNonNull(value, "value");
    dev.flagstack.store.grpc.v1.FlagValue.Builder b = dev.flagstack.store.grpc.v1.FlagValue.newBuilder();
    switch (value.type()) {
      case BOOLEAN:
        return b.setBoolValue(value.booleanValue()).build();
      case STRING:
        return b.setStringValue(value.stringValue()).build();
      case LONG:
        return b.setIntValue(value.longValue()).build();
      case DOUBLE:
        return b.setDoubleValue(value.doubleValue()).build();
      default:
        return b.setJsonValue(value.toJson()).build();
    }
  }

  /**
   * The flag value a protocol message holds.
   *
   * @throws IllegalArgumentException if the message breaks the protocol: no kind set, a double that is
   *     not finite, or {@code json_value} that is not the JSON text of an object or an array
   */
  public static FlagValue fromProto(dev.flagstack.store.grpc.v1.FlagValue value) {
    Objects.requireNonNull(value, "value");
    switch (value.getKindCase()) {
      case BOOL_VALUE:
        return FlagValue.of(value.getBoolValue());
      case STRING_VALUE:
        return FlagValue.of(value.getStringValue());
      case INT_VALUE:
        return FlagValue.of(value.getIntValue());
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        if (!Double.isFinite(d)) {
          throw new IllegalArgumentException("double_value must be finite, was " + d);
        }
        return FlagValue.of(d);
      case JSON_VALUE:
        FlagValue json;
        try {
          json = FlagValue.fromJson(value.getJsonValue());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("json_value is not valid JSON: " + e.getMessage(), e);
        }
        if (json.type() != FlagType.JSON) {
          throw new IllegalArgumentException("json_value must be an object or an array, was a " + json.type());
        }
        return json;
      default:
        throw new IllegalArgumentException("the value has no kind set");
    }
  }
}
