package dev.flagstack;

/** The flag does not exist in the store that answered. Never trips a breaker, never falls back. */
public final class FlagNotFoundException extends FlagException {
  private static final long serialVersionUID = 1L;

  private final String flag;

  public FlagNotFoundException(String flag) {
    super(FlagErrorKind.FLAG_NOT_FOUND, "flag not found: " + flag);
    this.flag = flag;
  }

  /** The flag that was asked for. */
  public String flag() {
    return flag;
  }
}
