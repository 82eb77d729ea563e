package dev.flagstack.store.rest.internal;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Which flags' results differ between two polls: value, reason, variant, error code or metadata, or presence. */
final class FlagSetDiff {
  private FlagSetDiff() {}

  /** The keys whose evaluation differs, or that are in only one of the two sets. */
  static Set<String> changed(Map<String, Evaluation> before, Map<String, Evaluation> after) {
    Set<String> changed = new TreeSet<>();
    for (Map.Entry<String, Evaluation> entry : before.entrySet()) {
      Evaluation now = after.get(entry.getKey());
      if (now == null || !sameResult(entry.getValue(), now)) {
        changed.add(entry.getKey());
      }
    }
    for (String key : after.keySet()) {
      if (!before.containsKey(key)) {
        changed.add(key);
      }
    }
    return changed;
  }

  /** Error details are left out: they are prose, and may change without the result changing. */
  static boolean sameResult(Evaluation a, Evaluation b) {
    return Objects.equals(a.value, b.value)
        && Objects.equals(a.reason, b.reason)
        && Objects.equals(a.variant, b.variant)
        && Objects.equals(a.errorCode, b.errorCode)
        && Objects.equals(a.metadata, b.metadata);
  }
}
