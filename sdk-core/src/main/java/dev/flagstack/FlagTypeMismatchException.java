package dev.flagstack;

/** A typed accessor asked a {@link FlagValue} for a type it does not hold. */
public final class FlagTypeMismatchException extends FlagException {
  private static final long serialVersionUID = 1L;

  public FlagTypeMismatchException(FlagType expected, FlagType actual) {
    super(FlagErrorKind.WRONG_TYPE, "flag value is " + actual + ", not " + expected);
  }
}
