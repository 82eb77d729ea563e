package dev.flagstack;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The state of one layer of a {@link FlagClient} at one moment, as listed by {@link ClientStatus}.
 * Immutable; equal when every field is.
 *
 * <ul>
 *   <li>{@link #breakerState()}: the layer's circuit breaker; null for a layer without one (an in-process
 *       cache tier, the secondary store).
 *   <li>{@link #connected()}: what a layer that implements {@link dev.flagstack.spi.LayerHealth} says;
 *       true for a layer that does not.
 *   <li>{@link #failing()}: the last call to the layer failed transiently (an error or a timeout). An
 *       answer clears it, a refusal of a bad request included; a read skipped by an open breaker is no call.
 *   <li>{@link #lastFailure()} and {@link #lastFailureAt()}: the last transient failure since the client
 *       was built, kept after the layer recovers, with the time on the client's clock.
 *   <li>{@link #available()}: whether the layer is expected to answer its next call.
 * </ul>
 */
public final class LayerStatus {
  private final FlagSource role;
  private final String name;
  private final BreakerState breakerState;
  private final boolean connected;
  private final boolean failing;
  private final String lastFailure;
  private final Instant lastFailureAt;

  private LayerStatus(Builder b) {
    this.role = b.role;
    this.name = b.name;
    this.breakerState = b.breakerState;
    this.connected = b.connected == null || b.connected;
    this.failing = b.failing != null && b.failing;
    this.lastFailure = b.lastFailure;
    this.lastFailureAt = b.lastFailureAt;
  }

  /**
   * A builder for the layer {@code name} playing {@code role}: connected, not failing, no breaker and no
   * failure until set.
   *
   * @throws IllegalArgumentException if {@code role} is not CACHE, PRIMARY or SECONDARY, or the name is blank
   */
  public static Builder builder(FlagSource role, String name) {
    return new Builder(role, name);
  }

  /** The part the layer plays: {@link FlagSource#CACHE}, {@link FlagSource#PRIMARY} or {@link FlagSource#SECONDARY}. */
  public FlagSource role() {
    return role;
  }

  /** The layer's name, as its provider reports it (for example {@code "redis"}). */
  public String name() {
    return name;
  }

  /** The state of the layer's circuit breaker, or null if it has none. */
  public BreakerState breakerState() {
    return breakerState;
  }

  /** Whether the layer says it is connected to its backend; true if it cannot say. */
  public boolean connected() {
    return connected;
  }

  /** Whether the last call to the layer failed transiently. */
  public boolean failing() {
    return failing;
  }

  /** The last transient failure, one line, class name and message; null if there was none. */
  public String lastFailure() {
    return lastFailure;
  }

  /** When the {@link #lastFailure()} happened, on the client's clock; null if there was none. */
  public Instant lastFailureAt() {
    return lastFailureAt;
  }

  /**
   * Whether the layer is expected to answer its next call: it is {@link #connected()}, and its breaker is
   * CLOSED or, for a layer without a breaker, it is not {@link #failing()}. An in-process tier is always
   * available (unless it says it is disconnected).
   */
  public boolean available() {
    if (!connected) {
      return false;
    }
    return breakerState != null ? breakerState == BreakerState.CLOSED : !failing;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LayerStatus)) {
      return false;
    }
    LayerStatus that = (LayerStatus) o;
    return role == that.role && name.equals(that.name) && breakerState == that.breakerState
        && connected == that.connected && failing == that.failing && Objects.equals(lastFailure, that.lastFailure)
        && Objects.equals(lastFailureAt, that.lastFailureAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, name, breakerState, connected, failing, lastFailure, lastFailureAt);
  }

  /**
   * One line, for example {@code primary 'flags-api': unavailable, breaker OPEN, failing, last failure at
   * 2025-01-01T10:00:00Z: StoreException: flags-api gave no answer within 1000 ms}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder()
        .append(role.name().toLowerCase(Locale.ROOT)).append(" '").append(name).append("': ")
        .append(available() ? "available" : "unavailable");
    if (breakerState != null) {
      sb.append(", breaker ").append(breakerState);
    }
    if (!connected) {
      sb.append(", disconnected");
    }
    if (failing) {
      sb.append(", failing");
    }
    if (lastFailure != null) {
      sb.append(", last failure at ").append(lastFailureAt).append(": ").append(lastFailure);
    }
    return sb.toString();
  }

  /**
   * Builds a {@link LayerStatus}. Each setter validates at once; setting an option twice is an
   * {@link IllegalStateException}.
   */
  public static final class Builder {
    private final FlagSource role;
    private final String name;
    private BreakerState breakerState;
    private Boolean connected;
    private Boolean failing;
    private String lastFailure;
    private Instant lastFailureAt;

    private Builder(FlagSource role, String name) {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(name, "name");
      if (role != FlagSource.CACHE && role != FlagSource.PRIMARY && role != FlagSource.SECONDARY) {
        throw new IllegalArgumentException("role must be CACHE, PRIMARY or SECONDARY, was " + role);
      }
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.role = role;
      this.name = name;
    }

    /** The layer's circuit breaker state; default none (a layer without a breaker). */
    public Builder breakerState(BreakerState state) {
      Objects.requireNonNull(state, "breakerState");
      if (breakerState != null) {
        throw new IllegalStateException("breakerState was already set to " + breakerState);
      }
      this.breakerState = state;
      return this;
    }

    /** Whether the layer is connected; default true. */
    public Builder connected(boolean connected) {
      if (this.connected != null) {
        throw new IllegalStateException("connected was already set to " + this.connected);
      }
      this.connected = connected;
      return this;
    }

    /** Whether the last call failed transiently; default false. */
    public Builder failing(boolean failing) {
      if (this.failing != null) {
        throw new IllegalStateException("failing was already set to " + this.failing);
      }
      this.failing = failing;
      return this;
    }

    /** The last transient failure, one line without secrets, and when it happened; default none. */
    public Builder lastFailure(String description, Instant at) {
      Objects.requireNonNull(description, "lastFailure");
      Objects.requireNonNull(at, "lastFailureAt");
      if (lastFailure != null) {
        throw new IllegalStateException("lastFailure was already set to '" + lastFailure + "'");
      }
      this.lastFailure = description;
      this.lastFailureAt = at;
      return this;
    }

    public LayerStatus build() {
      return new LayerStatus(this);
    }
  }
}
