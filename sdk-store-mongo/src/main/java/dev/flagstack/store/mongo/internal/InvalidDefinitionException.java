package dev.flagstack.store.mongo.internal;

/** A flag document that does not match the schema; the message says what is wrong, never whose data. */
public final class InvalidDefinitionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String flag;

  InvalidDefinitionException(String flag, String reason) {
    super(reason, null, false, false);
    this.flag = flag;
  }

  /** The key of the flag whose document is bad. */
  public String flag() {
    return flag;
  }
}
