package dev.flagstack;

import dev.flagstack.internal.RolloutHash;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a flag is evaluated for an entity: a default value, per-entity overrides and an optional
 * percentage {@link Rollout}. Immutable and thread-safe; build one with {@link #builder()}.
 *
 * <p>Stores that hold flag definitions rather than values (a database read as primary or secondary)
 * call {@link #evaluate(String)}, so every layer answers alike. The rules and the hash below are the
 * contract: another implementation (a flags server, an admin UI) that follows them gives the same
 * answer for every (flag, entity).
 *
 * <h2>Evaluation</h2>
 * {@code evaluate(entity)} returns, in this order:
 * <ol>
 *   <li>the override for {@code entity}, if there is one (entity ids are compared exactly, as Java
 *       strings, case-sensitive, no normalisation);
 *   <li>else, if a rollout is set and {@code bucket(key, entity) < rollout.basisPoints()}, the rollout's
 *       value;
 *   <li>else the default value.
 * </ol>
 * A rollout of 0% serves nobody, and 100% (10,000 basis points) serves everybody without an override.
 *
 * <h2>The bucket</h2>
 * <pre>
 *   digest = SHA-256( UTF-8(flagKey) || 0x00 || UTF-8(entity) )
 *   prefix = digest[0..7] read as an unsigned 64-bit big-endian integer
 *   bucket = prefix mod 10000                       (an integer in [0, 10000))
 * </pre>
 * The single zero byte separates the two ids; ids accepted by {@link FlagClient} never contain control
 * characters, so the input is unambiguous. Hashing the flag key as well as the entity makes different
 * flags roll out to independent sets of entities. A percentage becomes basis points as described in
 * {@link Rollout#ofPercentage}. For example, {@code bucket("new-checkout", "tenant-42")} is the SHA-256 of
 * the 22 bytes {@code new-checkout\0tenant-42}.
 *
 * <h2>Types</h2>
 * The default, every override and the rollout value must have the same {@link FlagType}, except that
 * LONG and DOUBLE may be mixed (both are numbers, and a document store may write {@code 1.0} as an
 * integer). A definition mixing, say, a boolean default with a string override is refused by
 * {@link Builder#build()}.
 */
public final class FlagDefinition {
  private final String key;
  private final FlagValue defaultValue;
  private final Map<String, FlagValue> overrides;
  private final Rollout rollout;

  private FlagDefinition(Builder b) {
    this.key = b.key;
    this.defaultValue = b.defaultValue;
    this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.overrides));
    this.rollout = b.rollout;
  }

  /** A builder with no key, no default, no overrides and no rollout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The rollout bucket of {@code entity} for the flag {@code flagKey}, in {@code [0, 10000)}, computed as
   * described in the class documentation. Public so that tests and tools can check another
   * implementation against this one.
   */
  public static int bucket(String flagKey, String entity) {
    return RolloutHash.bucket(Objects.requireNonNull(flagKey, "flagKey"), Objects.requireNonNull(entity, "entity"));
  }

  /** The value of this flag for {@code entity}: its override, else the rollout's value if it is in, else the default. */
  public FlagValue evaluate(String entity) {
    Objects.requireNonNull(entity, "entity");
    FlagValue override = overrides.get(entity);
    if (override != null) {
      return override;
    }
    if (rollout != null && rollout.basisPoints() > 0 && RolloutHash.bucket(key, entity) < rollout.basisPoints()) {
      return rollout.value();
    }
    return defaultValue;
  }

  /** The flag key. */
  public String key() {
    return key;
  }

  /** The value for entities with no override and outside the rollout. */
  public FlagValue defaultValue() {
    return defaultValue;
  }

  /** The per-entity overrides, unmodifiable, in the order they were added. */
  public Map<String, FlagValue> overrides() {
    return overrides;
  }

  /** The rollout, or null if there is none. */
  public Rollout rollout() {
    return rollout;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FlagDefinition)) {
      return false;
    }
    FlagDefinition that = (FlagDefinition) o;
    return key.equals(that.key) && defaultValue.equals(that.defaultValue) && overrides.equals(that.overrides)
        && Objects.equals(rollout, that.rollout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, defaultValue, overrides, rollout);
  }

  /** A summary: the key, the default, how many overrides there are and the rollout (entity ids are not listed). */
  @Override
  public String toString() {
    return "FlagDefinition{key=" + key + ", default=" + defaultValue + ", overrides=" + overrides.size()
        + (rollout == null ? "" : ", rollout=" + rollout) + '}';
  }

  private static boolean compatible(FlagType a, FlagType b) {
    return a == b || (isNumber(a) && isNumber(b));
  }

  private static boolean isNumber(FlagType t) {
    return t == FlagType.LONG || t == FlagType.DOUBLE;
  }

  /**
   * Builds a {@link FlagDefinition}. Setters validate at once and name the option and the bad value;
   * setting a single-valued option twice, or the same entity's override twice, is an
   * {@link IllegalStateException}. Not thread-safe.
   */
  public static final class Builder {
    private String key;
    private FlagValue defaultValue;
    private final Map<String, FlagValue> overrides = new LinkedHashMap<>();
    private Rollout rollout;

    private Builder() {}

    /** The flag key (required, not empty). It is data: any characters are allowed. */
    public Builder key(String key) {
      Objects.requireNonNull(key, "key");
      if (this.key != null) {
        throw new IllegalStateException("key was already set to '" + this.key + "'");
      }
      if (key.isEmpty()) {
        throw new IllegalArgumentException("key must not be empty");
      }
      this.key = key;
      return this;
    }

    /** The value for entities with no override and outside the rollout (required). */
    public Builder defaultValue(FlagValue value) {
      Objects.requireNonNull(value, "defaultValue");
      if (this.defaultValue != null) {
        throw new IllegalStateException("defaultValue was already set to " + this.defaultValue);
      }
      this.defaultValue = value;
      return this;
    }

    /** The value for one entity (not empty), ahead of the rollout and the default. */
    public Builder override(String entity, FlagValue value) {
      Objects.requireNonNull(entity, "entity");
      Objects.requireNonNull(value, "value");
      if (entity.isEmpty()) {
        throw new IllegalArgumentException("override entity must not be empty");
      }
      if (overrides.containsKey(entity)) {
        throw new IllegalStateException("override for entity '" + entity + "' was already set to "
            + overrides.get(entity));
      }
      overrides.put(entity, value);
      return this;
    }

    /** Adds every entry of {@code overrides} as by {@link #override(String, FlagValue)}. */
    public Builder overrides(Map<String, FlagValue> overrides) {
      Objects.requireNonNull(overrides, "overrides");
      overrides.forEach(this::override);
      return this;
    }

    /** The percentage rollout (optional). */
    public Builder rollout(Rollout rollout) {
      Objects.requireNonNull(rollout, "rollout");
      if (this.rollout != null) {
        throw new IllegalStateException("rollout was already set to " + this.rollout);
      }
      this.rollout = rollout;
      return this;
    }

    /**
     * The definition.
     *
     * @throws IllegalStateException if the key or the default value was not set
     * @throws IllegalArgumentException if an override or the rollout value has a type other than the
     *     default's (LONG and DOUBLE may be mixed)
     */
    public FlagDefinition build() {
      if (key == null) {
        throw new IllegalStateException("key was not set");
      }
      if (defaultValue == null) {
        throw new IllegalStateException("defaultValue of flag '" + key + "' was not set");
      }
      FlagType type = defaultValue.type();
      for (Map.Entry<String, FlagValue> e : overrides.entrySet()) {
        if (!compatible(type, e.getValue().type())) {
          throw new IllegalArgumentException("override for entity '" + e.getKey() + "' of flag '" + key
              + "' is " + e.getValue().type() + ", but the default is " + type);
        }
      }
      if (rollout != null && !compatible(type, rollout.value().type())) {
        throw new IllegalArgumentException("rollout value of flag '" + key + "' is " + rollout.value().type()
            + ", but the default is " + type);
      }
      return new FlagDefinition(this);
    }
  }
}
