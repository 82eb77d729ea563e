package dev.flagstack.micrometer.internal;

/** Meter names and tag keys, shared by the binding and its documentation. */
public final class MeterNames {
  public static final String READS = "flagstack.reads";
  public static final String READ_LATENCY = "flagstack.read.latency";
  public static final String CACHE_GETS = "flagstack.cache.gets";
  public static final String BREAKER_STATE = "flagstack.breaker.state";
  public static final String BREAKER_TRANSITIONS = "flagstack.breaker.transitions";
  public static final String LAYER_FAILURES = "flagstack.layer.failures";

  public static final String SOURCE = "source";
  public static final String LAYER = "layer";
  public static final String ERROR = "error";
  public static final String FLAG = "flag";
  public static final String RESULT = "result";
  public static final String ROLE = "role";
  public static final String STATE = "state";
  public static final String FROM = "from";
  public static final String TO = "to";
  public static final String REASON = "reason";

  /** Tag keys the binding sets itself; common tags may not reuse them. */
  public static final java.util.Set<String> RESERVED_TAG_KEYS =
      java.util.Set.of(SOURCE, LAYER, ERROR, FLAG, RESULT, ROLE, STATE, FROM, TO, REASON);

  /** The {@code flag} tag of reads past the flag-key bound, and of reads whose ids were invalid. */
  public static final String OTHER_FLAGS = "_other";

  private MeterNames() {}
}
