package dev.flagstack.micrometer.internal;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagSource;
import java.util.Locale;

/** Tag values computed once, indexed by enum ordinal, so no event builds a String. */
public final class TagValues {
  public static final String NONE = "none";

  private static final String[] SOURCES = lower(FlagSource.values());
  private static final String[] ERRORS = lower(FlagErrorKind.values());
  private static final String[] STATES = lower(BreakerState.values());

  private TagValues() {}

  public static String of(FlagSource source) {
    return SOURCES[source.ordinal()];
  }

  public static String of(FlagErrorKind kind) {
    return ERRORS[kind.ordinal()];
  }

  public static String of(BreakerState state) {
    return STATES[state.ordinal()];
  }

  private static String[] lower(Enum<?>[] values) {
    String[] names = new String[values.length];
    for (Enum<?> v : values) {
      names[v.ordinal()] = v.name().toLowerCase(Locale.ROOT);
    }
    return names;
  }
}
