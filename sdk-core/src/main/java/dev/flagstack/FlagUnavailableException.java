package dev.flagstack;

import java.util.List;

/**
 * Every layer that could have answered failed, and no last-known-good value was left. {@link #failures()}
 * says which layers failed and why.
 */
public final class FlagUnavailableException extends FlagException {
  private static final long serialVersionUID = 1L;

  private final transient List<LayerFailure> failures;

  public FlagUnavailableException(String flag, List<LayerFailure> failures) {
    super(FlagErrorKind.UNAVAILABLE, "flag unavailable: " + flag + ", every layer failed: " + failures);
    this.failures = List.copyOf(failures);
  }

  /** The layers that failed, in the order they were tried. */
  public List<LayerFailure> failures() {
    return failures;
  }
}
