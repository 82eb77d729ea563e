package dev.flagstack;

import java.util.Objects;

/**
 * Why one layer could not answer, as listed by {@link FlagUnavailableException#failures()}. The message
 * is the layer's error message; providers keep secrets out of their messages.
 */
public final class LayerFailure {
  private final String layer;
  private final FlagSource role;
  private final String reason;

  public LayerFailure(String layer, FlagSource role, String reason) {
    this.layer = Objects.requireNonNull(layer, "layer");
    this.role = Objects.requireNonNull(role, "role");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The layer's name, as its provider reports it (for example {@code "redis"} or {@code "mongo"}). */
  public String layer() {
    return layer;
  }

  /** The part the layer plays: {@link FlagSource#CACHE}, {@link FlagSource#PRIMARY} or {@link FlagSource#SECONDARY}. */
  public FlagSource role() {
    return role;
  }

  /** What went wrong, in one line. */
  public String reason() {
    return reason;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LayerFailure)) {
      return false;
    }
    LayerFailure that = (LayerFailure) o;
    return layer.equals(that.layer) && role == that.role && reason.equals(that.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(layer, role, reason);
  }

  @Override
  public String toString() {
    return role.name().toLowerCase(java.util.Locale.ROOT) + " '" + layer + "': " + reason;
  }
}
