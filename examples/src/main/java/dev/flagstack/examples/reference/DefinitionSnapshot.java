package dev.flagstack.examples.reference;

import dev.flagstack.FlagDefinition;
import java.util.Map;
import java.util.Set;

/**
 * One consistent copy of the flag definitions the service serves, with a version that grows by one each
 * time the content changes. {@code broken} holds the keys whose stored document could not be read: they are
 * reported as evaluation errors, never served from an older copy and never as "not found".
 */
record DefinitionSnapshot(long version, Map<String, FlagDefinition> definitions, Map<String, String> broken) {
  static final DefinitionSnapshot EMPTY = new DefinitionSnapshot(0, Map.of(), Map.of());

  DefinitionSnapshot {
    definitions = Map.copyOf(definitions);
    broken = Map.copyOf(broken);
  }

  /** The keys whose definition (or brokenness) differs between this copy and {@code newer}. */
  Set<String> changedKeys(DefinitionSnapshot newer) {
    java.util.Set<String> changed = new java.util.TreeSet<>();
    for (String key : union(definitions.keySet(), newer.definitions.keySet())) {
      if (!java.util.Objects.equals(definitions.get(key), newer.definitions.get(key))) {
        changed.add(key);
      }
    }
    for (String key : union(broken.keySet(), newer.broken.keySet())) {
      if (!java.util.Objects.equals(broken.get(key), newer.broken.get(key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
