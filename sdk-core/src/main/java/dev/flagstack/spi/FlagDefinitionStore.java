package dev.flagstack.spi;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A store that holds flag <em>definitions</em> (a database such as MongoDB or PostgreSQL) rather than
 * per-entity answers.
 *
 * <p>The client may ask it for definitions and evaluate them itself with {@link FlagDefinition#evaluate},
 * so one query per flag serves every entity: when the primary is down and every request falls through to
 * this store, the client caches the definitions briefly and shares one in-flight load per flag, instead
 * of sending one query per (entity, flag). {@link #getFlags} is implemented here in terms of
 * {@link #getDefinitions}; an implementation only writes the latter.
 *
 * <p>The failure contract is that of {@link FlagStore}: a {@link StoreException} that is not transient (a
 * definition of the wrong shape, a missing table) goes straight back to the caller; every other throwable
 * is transient.
 */
public interface FlagDefinitionStore extends FlagStore {
  /**
   * The definitions of those {@code flags} the store knows; an unknown flag is absent. The set is
   * unmodifiable, never empty, and holds only validated ids.
   */
  CompletionStage<Map<String, FlagDefinition>> getDefinitions(Set<String> flags);

  /** Evaluates {@link #getDefinitions} for {@code entity}. */
  @Override
  default CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    return getDefinitions(flags).thenApply(definitions -> {
      Map<String, FlagValue> values = new HashMap<>(definitions.size() * 2);
      definitions.forEach((flag, definition) -> values.put(flag, definition.evaluate(entity)));
      return values;
    });
  }
}
