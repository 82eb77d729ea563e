package dev.flagstack.examples.reference;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;

/**
 * One flag evaluated for one entity, with the OpenFeature reason that says which rule gave the value:
 * TARGETING_MATCH for an override, SPLIT for a rollout, STATIC when the flag has no rules, DEFAULT when it
 * has rules and none applied. The value always comes from {@link FlagDefinition#evaluate}.
 */
record Evaluation(String key, FlagValue value, String reason, String variant) {
  static Evaluation of(FlagDefinition definition, String entity) {
    FlagValue value = definition.evaluate(entity);
    String reason;
    String variant;
    if (definition.overrides().containsKey(entity)) {
      reason = "TARGETING_MATCH";
      variant = "override";
    } else if (definition.rollout() != null
        && FlagDefinition.bucket(definition.key(), entity) < definition.rollout().basisPoints()) {
      reason = "SPLIT";
      variant = "rollout";
    } else {
      reason = definition.overrides().isEmpty() && definition.rollout() == null ? "STATIC" : "DEFAULT";
      variant = "default";
    }
    return new Evaluation(definition.key(), value, reason, variant);
  }
}
