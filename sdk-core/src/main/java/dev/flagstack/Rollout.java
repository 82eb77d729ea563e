package dev.flagstack;

import java.util.Objects;

/**
 * A percentage rollout: the share of entities, chosen by a stable hash, that get {@link #value()}
 * instead of a flag's default. Immutable. See {@link FlagDefinition} for how an entity's bucket is
 * computed and compared with {@link #basisPoints()}.
 */
public final class Rollout {
  /** The most basis points a rollout can cover: {@value}, that is 100%. */
  public static final int MAX_BASIS_POINTS = 10_000;

  private final int basisPoints;
  private final FlagValue value;

  private Rollout(int basisPoints, FlagValue value) {
    this.basisPoints = basisPoints;
    this.value = value;
  }

  /**
   * A rollout of {@code percentage} percent of entities, in {@code [0, 100]}. The percentage is turned
   * into basis points as {@code Math.round(percentage * 100.0)} in IEEE-754 double arithmetic, so
   * {@code 12.5} covers 1250 of the 10,000 buckets and anything finer than 0.01% is rounded away.
   *
   * @throws IllegalArgumentException if {@code percentage} is not a finite number in {@code [0, 100]}
   */
  public static Rollout ofPercentage(double percentage, FlagValue value) {
    if (!(percentage >= 0.0 && percentage <= 100.0)) {
      throw new IllegalArgumentException("rollout percentage must be between 0 and 100, was " + percentage);
    }
    return new Rollout((int) Math.round(percentage * 100.0), Objects.requireNonNull(value, "value"));
  }

  /**
   * A rollout covering {@code basisPoints} of the 10,000 buckets (100 basis points are 1%).
   *
   * @throws IllegalArgumentException if {@code basisPoints} is outside {@code [0, 10000]}
   */
  public static Rollout ofBasisPoints(int basisPoints, FlagValue value) {
    if (basisPoints < 0 || basisPoints > MAX_BASIS_POINTS) {
      throw new IllegalArgumentException(
          "rollout basisPoints must be between 0 and " + MAX_BASIS_POINTS + ", was " + basisPoints);
    }
    return new Rollout(basisPoints, Objects.requireNonNull(value, "value"));
  }

  /** How many of the 10,000 buckets get {@link #value()}: an entity is in when its bucket is below this. */
  public int basisPoints() {
    return basisPoints;
  }

  /** The share of entities covered, in percent: {@code basisPoints() / 100.0}. */
  public double percentage() {
    return basisPoints / 100.0;
  }

  /** The value served to entities inside the rollout. */
  public FlagValue value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Rollout)) {
      return false;
    }
    Rollout that = (Rollout) o;
    return basisPoints == that.basisPoints && value.equals(that.value);
  }

  @Override
  public int hashCode() {
    return 31 * basisPoints + value.hashCode();
  }

  @Override
  public String toString() {
    return "Rollout{" + percentage() + "%, value=" + value + '}';
  }
}
