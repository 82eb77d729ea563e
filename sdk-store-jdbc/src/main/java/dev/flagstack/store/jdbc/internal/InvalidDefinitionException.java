package dev.flagstack.store.jdbc.internal;

/** A flag row that does not match the schema; the message says what is wrong. */
public final class InvalidDefinitionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String flag;

  InvalidDefinitionException(String flag, String reason) {
    super(reason, null, false, false);
    this.flag = flag;
  }

  /** The key of the flag whose row is bad. */
  public String flag() {
    return flag;
  }
}
