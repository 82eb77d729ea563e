package dev.flagstack;

/** The kinds of value a flag can hold. */
public enum FlagType {
  BOOLEAN,
  STRING,
  /** A 64-bit signed integer. */
  LONG,
  /** A finite 64-bit floating point number. */
  DOUBLE,
  /** A JSON object or array. */
  JSON
}
