package dev.flagstack.openfeature.internal;

import dev.flagstack.FlagDetail;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagType;
import dev.flagstack.FlagValue;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Maps a {@link FlagDetail} to a {@link ProviderEvaluation}: value conversion, reason, error code, metadata. */
public final class Evaluations {
  /** The flag metadata key holding the serving source (cache, primary, secondary, stale, default). */
  public static final String SOURCE_KEY = "flagstack.source";
  /** The flag metadata key holding the serving layer's name. */
  public static final String LAYER_KEY = "flagstack.layer";
  /** The flag metadata key holding the Flagstack error kind of a default. */
  public static final String ERROR_KIND_KEY = "flagstack.errorKind";
  /** The reason of a last-known-good value: OpenFeature has no such reason, and allows custom ones. */
  public static final String STALE_REASON = "STALE";

  /** The typed view an evaluation asks for: null from {@link #convert} means the flag holds another type. */
  public interface Kind<T> {
    String name();

    T convert(FlagValue value);
  }

  public static final Kind<Boolean> BOOLEAN = kind("boolean",
      v -> v.type() == FlagType.BOOLEAN ? v.booleanValue() : null);
  public static final Kind<String> STRING = kind("string",
      v -> v.type() == FlagType.STRING ? v.stringValue() : null);
  public static final Kind<Integer> INTEGER = kind("integer", v -> v.type() == FlagType.LONG
      && v.longValue() >= Integer.MIN_VALUE && v.longValue() <= Integer.MAX_VALUE ? (int) v.longValue() : null);
  public static final Kind<Long> LONG = kind("long", v -> v.type() == FlagType.LONG ? v.longValue() : null);
  public static final Kind<Double> DOUBLE = kind("double",
      v -> v.type() == FlagType.DOUBLE || v.type() == FlagType.LONG ? v.doubleValue() : null);
  public static final Kind<Value> OBJECT = kind("object (a JSON object or array)",
      v -> v.type() == FlagType.JSON ? Values.toValue(v.jsonValue()) : null);

  private static final ImmutableMetadata[] DEFAULT_METADATA = new ImmutableMetadata[FlagErrorKind.values().length];
  private static final Map<FlagSource, Map<String, ImmutableMetadata>> SERVED_METADATA = new EnumMap<>(FlagSource.class);

  static {
    for (FlagErrorKind kind : FlagErrorKind.values()) {
      DEFAULT_METADATA[kind.ordinal()] = ImmutableMetadata.builder()
          .addString(SOURCE_KEY, "default").addString(ERROR_KIND_KEY, kind.name()).build();
    }
    for (FlagSource source : FlagSource.values()) {
      SERVED_METADATA.put(source, new ConcurrentHashMap<>());
    }
  }

  private Evaluations() {}

  private static <T> Kind<T> kind(String name, java.util.function.Function<FlagValue, T> convert) {
    return new Kind<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public T convert(FlagValue value) {
        return convert.apply(value);
      }
    };
  }

  /** The evaluation of {@code detail} as {@code kind}, or the caller's default with an error code. */
  public static <T> ProviderEvaluation<T> of(String flag, FlagDetail detail, T defaultValue, Kind<T> kind) {
    if (detail.isDefault()) {
      FlagErrorKind error = detail.errorKind();
      return error(defaultValue, errorCode(error), message(flag, error), DEFAULT_METADATA[error.ordinal()]);
    }
    ImmutableMetadata metadata = metadata(detail.source(), detail.layer());
    T value = kind.convert(detail.value());
    if (value == null) {
      return error(defaultValue, ErrorCode.TYPE_MISMATCH, "flag '" + flag + "' holds "
          + describe(detail.value(), kind) + ", not " + kind.name(), metadata);
    }
    return ProviderEvaluation.<T>builder().value(value).reason(reason(detail.source())).flagMetadata(metadata).build();
  }

  /** An evaluation that failed before reaching the client. */
  public static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message) {
    return error(defaultValue, code, message, ImmutableMetadata.EMPTY);
  }

  private static <T> ProviderEvaluation<T> error(T defaultValue, ErrorCode code, String message,
      ImmutableMetadata metadata) {
    return ProviderEvaluation.<T>builder().value(defaultValue).reason(Reason.ERROR.name()).errorCode(code)
        .errorMessage(message).flagMetadata(metadata).build();
  }

  /** The OpenFeature error code for a Flagstack error kind. */
  public static ErrorCode errorCode(FlagErrorKind kind) {
    switch (kind) {
      case FLAG_NOT_FOUND:
        return ErrorCode.FLAG_NOT_FOUND;
      case INVALID_REQUEST:
        return ErrorCode.INVALID_CONTEXT;
      case WRONG_TYPE:
        return ErrorCode.TYPE_MISMATCH;
      default:
        return ErrorCode.GENERAL;
    }
  }

  /** The OpenFeature reason for a value served by {@code source}. */
  public static String reason(FlagSource source) {
    switch (source) {
      case CACHE:
        return Reason.CACHED.name();
      case PRIMARY:
      case SECONDARY:
        // A store answers with a value, not why it chose it (a flag detail carries no store reason).
        return Reason.STATIC.name();
      case STALE:
        return STALE_REASON;
      default:
        return Reason.ERROR.name();
    }
  }

  private static String message(String flag, FlagErrorKind kind) {
    switch (kind) {
      case FLAG_NOT_FOUND:
        return "flag '" + flag + "' not found";
      case INVALID_REQUEST:
        return "the targeting key or the flag key is not a valid Flagstack id"
            + " (1 to 256 chars, not blank, no control characters)";
      case REJECTED:
        return "a Flagstack store refused to read flag '" + flag + "'";
      case WRONG_TYPE:
        return "flag '" + flag + "' holds another type";
      default:
        return "flag '" + flag + "' is unavailable: every Flagstack layer failed";
    }
  }

  private static String describe(FlagValue value, Kind<?> wanted) {
    if (wanted == INTEGER && value.type() == FlagType.LONG) {
      return "a long outside the int range";
    }
    return "a " + value.type().name().toLowerCase(Locale.ROOT);
  }

  private static ImmutableMetadata metadata(FlagSource source, String layer) {
    Map<String, ImmutableMetadata> byLayer = SERVED_METADATA.get(source);
    ImmutableMetadata m = byLayer.get(layer);
    if (m == null) {
      // One entry per layer name the client was built with: bounded.
      m = byLayer.computeIfAbsent(layer, l -> ImmutableMetadata.builder()
          .addString(SOURCE_KEY, source.name().toLowerCase(Locale.ROOT)).addString(LAYER_KEY, l).build());
    }
    return m;
  }
}
