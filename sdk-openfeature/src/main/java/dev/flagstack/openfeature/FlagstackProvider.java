package dev.flagstack.openfeature;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagValue;
import dev.flagstack.openfeature.internal.Evaluations;
import dev.flagstack.openfeature.internal.ProviderHealth;
import dev.flagstack.openfeature.internal.StateEmitter;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An OpenFeature provider that reads flags through a {@link FlagClient}, with its layers, breakers and
 * fallbacks. The targeting key is the Flagstack entity; other context attributes are not used.
 *
 * <pre>{@code
 * FlagstackProvider provider = new FlagstackProvider();
 * FlagClient client = FlagClient.builder()
 *     .addCache(MemoryFlagCache.builder().build())
 *     .primary(primaryStore)
 *     .eventListener(provider.eventListener())   // or FlagEventListener.compose(provider.eventListener(), metrics)
 *     .build();
 * provider.attach(client);
 * OpenFeatureAPI.getInstance().setProviderAndWait(provider);
 * }</pre>
 *
 * <h2>Evaluations</h2>
 * Never throw. A value carries the reason {@code CACHED} (a cache tier), {@code STATIC} (the primary or
 * secondary store: stores report no targeting reason) or {@value #REASON_STALE} (last-known-good), and
 * flag metadata {@value #METADATA_SOURCE} and {@value #METADATA_LAYER}. Errors: no targeting key is
 * TARGETING_KEY_MISSING, an unknown flag FLAG_NOT_FOUND, a flag of another type TYPE_MISMATCH, an id the
 * client refuses INVALID_CONTEXT, every layer down (or a store refusing) GENERAL; each with the caller's
 * default. An evaluation blocks for as long as the client's read, which is bounded by its layers' budgets.
 *
 * <h2>Events</h2>
 * READY when initialized; STALE while the primary store's breaker is open or half-open; READY again when
 * it closes; ERROR once a read ends with no layer answering (no cache, store or last-known-good value),
 * until a store answers again (ERROR outranks STALE). These need {@link #eventListener()} installed on the
 * client. They are emitted in order from a thread of the provider's own, starting with the first
 * evaluation (so a client already degraded at registration turns STALE then); changes faster than
 * delivery are coalesced to the latest state. CONFIGURATION_CHANGED, with the changed flag keys (none: any
 * flag may have changed), whenever the client learns of changes from a store that reports them (the gRPC
 * store's WatchChanges stream, the REST store's polling).
 *
 * <h2>Lifecycle</h2>
 * {@link #shutdown()} stops the provider's event thread but leaves the client open: it is the caller's.
 * Like every OpenFeature {@code EventProvider}, an instance cannot be initialized again after shutdown.
 */
public final class FlagstackProvider extends EventProvider {
  /** The provider's name in OpenFeature metadata: {@value}. */
  public static final String NAME = "flagstack";
  /** The reason of a last-known-good value: {@value} (OpenFeature allows custom reasons). */
  public static final String REASON_STALE = Evaluations.STALE_REASON;
  /** Flag metadata key: the source that served (cache, primary, secondary, stale, default). */
  public static final String METADATA_SOURCE = Evaluations.SOURCE_KEY;
  /** Flag metadata key: the name of the layer that served; absent for a default. */
  public static final String METADATA_LAYER = Evaluations.LAYER_KEY;
  /** Flag metadata key: the Flagstack error kind, when the default was served. */
  public static final String METADATA_ERROR_KIND = Evaluations.ERROR_KIND_KEY;

  private static final Metadata METADATA = () -> NAME;

  private final ProviderHealth health = new ProviderHealth();
  private final StateEmitter emitter = new StateEmitter(this, health);
  private final AtomicReference<FlagClient> client = new AtomicReference<>();
  /** Set by the first evaluation, which OpenFeature only makes once it has marked the provider READY. */
  private volatile boolean evaluating;
  private volatile boolean shutDown;

  /** A provider not yet attached to a client: install {@link #eventListener()}, then {@link #attach}. */
  public FlagstackProvider() {
    health.onChange(this::stateInputChanged);
    health.onFlagsChanged(flags -> {
      if (!shutDown) {
        emitter.configurationChanged(flags);
      }
    });
  }

  /**
   * The listener to install on the client with {@link FlagClient.Builder#eventListener}, alone or through
   * {@link FlagEventListener#compose}: it is how the provider learns of breakers and failed reads. It does
   * no work beyond a few field reads per read, and allocates nothing.
   */
  public FlagEventListener eventListener() {
    return health;
  }

  /**
   * Attaches the client this provider reads through; call once, before handing the provider to OpenFeature.
   *
   * @return this provider
   * @throws IllegalStateException if another client was already attached
   */
  public FlagstackProvider attach(FlagClient client) {
    Objects.requireNonNull(client, "client");
    if (!this.client.compareAndSet(null, client) && this.client.get() != client) {
      throw new IllegalStateException("a client was already attached: " + this.client.get());
    }
    return this;
  }

  @Override
  public Metadata getMetadata() {
    return METADATA;
  }

  /**
   * Called by OpenFeature. Contacts no backend: the client needs none to start.
   *
   * @throws IllegalStateException if no client was attached, or this provider was shut down
   */
  @Override
  public void initialize(EvaluationContext evaluationContext) {
    if (shutDown) {
      throw new IllegalStateException("this FlagstackProvider was shut down; create a new one");
    }
    if (client.get() == null) {
      throw new IllegalStateException("no FlagClient attached: call attach(client) before setProvider");
    }
  }

  /** Stops emitting events. The client stays open: close it yourself. */
  @Override
  public void shutdown() {
    shutDown = true;
    emitter.shutdown();
    super.shutdown();
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(String key, Boolean defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.BOOLEAN);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(String key, String defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.STRING);
  }

  /** A LONG flag within the int range; a larger one is a TYPE_MISMATCH, never a truncated value. */
  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(String key, Integer defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.INTEGER);
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(String key, Long defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.LONG);
  }

  /** A DOUBLE flag, or a LONG one widened, as {@link FlagClient#getDouble} does. */
  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(String key, Double defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.DOUBLE);
  }

  /** A JSON flag (object or array) as a structure or list; any other type is a TYPE_MISMATCH. */
  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(String key, Value defaultValue, EvaluationContext ctx) {
    return evaluate(key, defaultValue, ctx, Evaluations.OBJECT);
  }

  private <T> ProviderEvaluation<T> evaluate(String key, T defaultValue, EvaluationContext ctx,
      Evaluations.Kind<T> kind) {
    FlagClient c = client.get();
    if (c == null) {
      return Evaluations.error(defaultValue, ErrorCode.PROVIDER_NOT_READY,
          "no FlagClient attached: call attach(client) before setProvider");
    }
    if (!evaluating) {
      // Events start with the first evaluation: OpenFeature has set READY by then, so it cannot
      // overwrite a STALE or ERROR the client was already in, or entered meanwhile.
      evaluating = true;
      emitter.signal();
    }
    String entity = ctx == null ? null : ctx.getTargetingKey();
    if (entity == null || entity.isEmpty()) {
      return Evaluations.error(defaultValue, ErrorCode.TARGETING_KEY_MISSING,
          "a targeting key is required: Flagstack reads each flag for one entity");
    }
    // The placeholder is never returned: a default detail is answered with the caller's own default.
    FlagDetail detail = c.getFlagDetail(entity, key, FlagValue.FALSE);
    return Evaluations.of(key, detail, defaultValue, kind);
  }

  private void stateInputChanged() {
    if (evaluating) {
      emitter.signal();
    }
  }

  @Override
  public String toString() {
    return "FlagstackProvider{" + client.get() + '}';
  }
}
