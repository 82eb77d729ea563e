package dev.flagstack;

/** Where a flag value came from, as reported by {@link FlagDetail#source()}. */
public enum FlagSource {
  /** A cache tier ({@link FlagDetail#layer()} names which). */
  CACHE,
  /** The primary store. */
  PRIMARY,
  /** The secondary store, because the primary failed transiently or its breaker was open. */
  SECONDARY,
  /** The last value this client saw, served because every layer failed. */
  STALE,
  /** The caller's default, because the read failed ({@link FlagDetail#errorKind()} says why). */
  DEFAULT
}
