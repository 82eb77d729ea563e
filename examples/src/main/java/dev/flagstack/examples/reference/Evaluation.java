package dev.flagstack.examples.reference;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;

/**
 * One flag evaluated for one entity, with the OpenFeature reason that says which rule gave the value:
 * TARGETING_MATCH for an override, SPLIT for a rollout, STATIC when the flag has no rules, DEFAULT when it
 * has rules and none applied. The value always comes from {@link FlagDefinition#evaluate}.
 */
record Evaluation(String key, FlagValue value, String reason, String variant, String definitionTag) {
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
    return new Evaluation(definition.key(), value, reason, variant, tag(definition));
  }

  /**
   * A short digest of the whole definition (default, overrides, rollout), sent in each flag's metadata: it
   * changes whenever the definition does, even when this entity's value does not, so a client polling
   * with one context still sees that the flag changed for others.
   */
  static String tag(FlagDefinition definition) {
    StringBuilder canonical = new StringBuilder(definition.key()).append('\u0000')
        .append(definition.defaultValue().toJson());
    new java.util.TreeMap<>(definition.overrides()).forEach((entity, v) ->
        canonical.append('\u0000').append(entity).append('\u0000').append(v.toJson()));
    if (definition.rollout() != null) {
      canonical.append("\u0000rollout\u0000").append(definition.rollout().basisPoints())
          .append('\u0000').append(definition.rollout().value().toJson());
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(canonical.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
