package dev.flagstack.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.Stores;
import dev.flagstack.spi.StoreException;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Reason;
import dev.openfeature.sdk.Value;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every value, reason and error mapping, through the OpenFeature client API against a real FlagClient. */
class FlagstackProviderEvaluationTest {
  private static final EvaluationContext TENANT = new ImmutableContext("tenant-42");

  private ProviderFixture fixture;

  private ProviderFixture start(boolean withSecondary) {
    fixture = new ProviderFixture(withSecondary).start();
    return fixture;
  }

  @AfterEach
  void resetOpenFeature() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aPrimaryValueIsStaticAndNamesItsSourceAndLayerInFlagMetadata() {
    ProviderFixture f = start(false);
    f.primary.put("new-checkout", FlagValue.TRUE);
    FlagEvaluationDetails<Boolean> d = f.client.getBooleanDetails("new-checkout", false, TENANT);
    assertThat(d.getValue()).isTrue();
    assertThat(d.getErrorCode()).isNull();
    assertThat(d.getReason()).isEqualTo(Reason.STATIC.name());
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_SOURCE)).isEqualTo("primary");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_LAYER)).isEqualTo("api");
    assertThat(f.api.getProviderMetadata().getName()).isEqualTo(FlagstackProvider.NAME);
  }

  @Test
  void theTargetingKeyIsTheEntity() {
    ProviderFixture f = start(false);
    f.primary.put("plan", FlagValue.of("free")).put("tenant-42", "plan", FlagValue.of("gold"));
    assertThat(f.client.getStringValue("plan", "none", TENANT)).isEqualTo("gold");
    assertThat(f.client.getStringValue("plan", "none", new ImmutableContext("tenant-7"))).isEqualTo("free");
  }

  @Test
  void aRepeatReadIsCachedFromTheMemoryTier() {
    ProviderFixture f = start(false);
    f.primary.put("f", FlagValue.TRUE);
    f.client.getBooleanValue("f", false, TENANT);
    FlagEvaluationDetails<Boolean> d = f.client.getBooleanDetails("f", false, TENANT);
    assertThat(d.getValue()).isTrue();
    assertThat(d.getReason()).isEqualTo(Reason.CACHED.name());
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_SOURCE)).isEqualTo("cache");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_LAYER)).isEqualTo("memory");
    assertThat(f.primary.calls()).isEqualTo(1);
  }

  @Test
  void stringIntegerLongAndDoubleValuesConvert() {
    ProviderFixture f = start(false);
    f.primary.put("colour", FlagValue.of("teal")).put("limit", FlagValue.of(42L))
        .put("big", FlagValue.of(5_000_000_000L)).put("ratio", FlagValue.of(0.25));
    assertThat(f.client.getStringDetails("colour", "none", TENANT).getValue()).isEqualTo("teal");
    assertThat(f.client.getIntegerDetails("limit", 0, TENANT).getValue()).isEqualTo(42);
    assertThat(f.client.getLongDetails("big", 0L, TENANT).getValue()).isEqualTo(5_000_000_000L);
    assertThat(f.client.getDoubleDetails("ratio", 0.0, TENANT).getValue()).isEqualTo(0.25);
    FlagEvaluationDetails<Double> widened = f.client.getDoubleDetails("limit", 0.0, TENANT);
    assertThat(widened.getValue()).isEqualTo(42.0);
    assertThat(widened.getErrorCode()).isNull();
  }

  @Test
  void aJsonFlagIsAnObjectWithNestedValues() {
    ProviderFixture f = start(false);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", "banner");
    json.put("weight", 3L);
    json.put("share", 0.5);
    json.put("on", true);
    json.put("nothing", null);
    json.put("tags", List.of("a", 1L));
    json.put("nested", Map.of("deep", "yes"));
    f.primary.put("config", FlagValue.object(json)).put("list", FlagValue.array(List.of(1L, 2L)));

    FlagEvaluationDetails<Value> d = f.client.getObjectDetails("config", new Value("fallback"), TENANT);
    assertThat(d.getErrorCode()).isNull();
    Value v = d.getValue();
    assertThat(v.isStructure()).isTrue();
    assertThat(v.asStructure().getValue("name").asString()).isEqualTo("banner");
    assertThat(v.asStructure().getValue("weight").asInteger()).isEqualTo(3);
    assertThat(v.asStructure().getValue("share").asDouble()).isEqualTo(0.5);
    assertThat(v.asStructure().getValue("on").asBoolean()).isTrue();
    assertThat(v.asStructure().getValue("nothing").isNull()).isTrue();
    assertThat(v.asStructure().getValue("tags").asList()).extracting(Value::asObject).containsExactly("a", 1L);
    assertThat(v.asStructure().getValue("nested").asStructure().getValue("deep").asString()).isEqualTo("yes");
    assertThat(f.client.getObjectValue("list", new Value(), TENANT).asList())
        .extracting(Value::asInteger).containsExactly(1, 2);
  }

  @Test
  void aMissingTargetingKeyIsTargetingKeyMissingAndReadsNothing() {
    ProviderFixture f = start(false);
    f.primary.put("f", FlagValue.TRUE);
    FlagEvaluationDetails<Boolean> d = f.client.getBooleanDetails("f", false, new ImmutableContext());
    assertThat(d.getValue()).isFalse();
    assertThat(d.getErrorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    assertThat(d.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(f.client.getBooleanDetails("f", false).getErrorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    assertThat(f.primary.calls()).isZero();
  }

  @Test
  void anUnknownFlagIsFlagNotFoundWithTheCallersDefault() {
    ProviderFixture f = start(false);
    FlagEvaluationDetails<String> d = f.client.getStringDetails("ghost", "fallback", TENANT);
    assertThat(d.getValue()).isEqualTo("fallback");
    assertThat(d.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(d.getErrorMessage()).contains("ghost");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_ERROR_KIND)).isEqualTo("FLAG_NOT_FOUND");
  }

  @Test
  void aFlagOfAnotherTypeIsTypeMismatchWithTheCallersDefault() {
    ProviderFixture f = start(false);
    f.primary.put("colour", FlagValue.of("teal")).put("big", FlagValue.of(5_000_000_000L))
        .put("ratio", FlagValue.of(0.5)).put("on", FlagValue.TRUE);
    FlagEvaluationDetails<Boolean> asBoolean = f.client.getBooleanDetails("colour", true, TENANT);
    assertThat(asBoolean.getValue()).isTrue();
    assertThat(asBoolean.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(asBoolean.getErrorMessage()).isEqualTo("flag 'colour' holds a string, not boolean");
    FlagEvaluationDetails<Integer> tooBig = f.client.getIntegerDetails("big", 7, TENANT);
    assertThat(tooBig.getValue()).as("never truncated").isEqualTo(7);
    assertThat(tooBig.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(tooBig.getErrorMessage()).contains("outside the int range");
    assertThat(f.client.getIntegerDetails("ratio", 7, TENANT).getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(f.client.getObjectDetails("on", new Value(1), TENANT).getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(f.client.getStringDetails("on", "x", TENANT).getValue()).isEqualTo("x");
  }

  @Test
  void anIdTheClientRefusesIsInvalidContextAndTouchesNoLayer() {
    ProviderFixture f = start(false);
    f.primary.put("f", FlagValue.TRUE);
    char[] longId = new char[300];
    Arrays.fill(longId, 'x');
    for (String bad : List.of("tenant\u0001", "   ", new String(longId))) {
      FlagEvaluationDetails<Boolean> d = f.client.getBooleanDetails("f", true, new ImmutableContext(bad));
      assertThat(d.getErrorCode()).as(bad).isEqualTo(ErrorCode.INVALID_CONTEXT);
      assertThat(d.getValue()).isTrue();
    }
    assertThat(f.client.getBooleanDetails("bad\nflag", true, TENANT).getErrorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
    assertThat(f.primary.calls()).isZero();
  }

  @Test
  void oddButValidIdsAreData() {
    ProviderFixture f = start(false);
    String entity = "t\u00e9nant:\"42\"%$ \uD83D\uDE00";
    f.primary.put(entity, "fl.ag:%", FlagValue.of("odd"));
    assertThat(f.client.getStringValue("fl.ag:%", "none", new ImmutableContext(entity))).isEqualTo("odd");
  }

  @Test
  void everyLayerDownIsGeneralWithTheCallersDefault() {
    ProviderFixture f = start(false);
    f.primary.failTransiently();
    FlagEvaluationDetails<Integer> d = f.client.getIntegerDetails("limit", 5, TENANT);
    assertThat(d.getValue()).isEqualTo(5);
    assertThat(d.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(d.getReason()).isEqualTo(Reason.ERROR.name());
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_SOURCE)).isEqualTo("default");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_ERROR_KIND)).isEqualTo("UNAVAILABLE");
  }

  @Test
  void aStoreCallingTheRequestMalformedIsInvalidContext() {
    ProviderFixture f = start(false);
    f.primary.put("f", FlagValue.TRUE).failNonTransiently();
    FlagEvaluationDetails<Boolean> d = f.client.getBooleanDetails("f", false, TENANT);
    assertThat(d.getErrorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_ERROR_KIND)).isEqualTo("INVALID_REQUEST");
  }

  @Test
  void aStoreRefusingTheReadIsGeneral() {
    fixture = new ProviderFixture(Stores.answering("api", (entity, flags) ->
        CompletableFuture.failedFuture(StoreException.rejected("credentials refused", null))), false).start();
    FlagEvaluationDetails<Boolean> d = fixture.client.getBooleanDetails("f", true, TENANT);
    assertThat(d.getValue()).isTrue();
    assertThat(d.getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_ERROR_KIND)).isEqualTo("REJECTED");
  }

  @Test
  void theSecondaryAnswersWhenThePrimaryFailsAndSaysSo() {
    ProviderFixture f = start(true);
    f.primary.failTransiently();
    f.secondary.put("f", FlagValue.of("from-mongo"));
    FlagEvaluationDetails<String> d = f.client.getStringDetails("f", "none", TENANT);
    assertThat(d.getValue()).isEqualTo("from-mongo");
    assertThat(d.getReason()).isEqualTo(Reason.STATIC.name());
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_SOURCE)).isEqualTo("secondary");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_LAYER)).isEqualTo("mongo");
  }

  @Test
  void theLastKnownGoodValueIsStaleAndNamesTheLayerItCameFrom() {
    ProviderFixture f = start(false);
    f.primary.put("f", FlagValue.of("seen"));
    assertThat(f.client.getStringValue("f", "none", TENANT)).isEqualTo("seen");
    f.flags.invalidateAll();
    f.primary.failTransiently();
    FlagEvaluationDetails<String> d = f.client.getStringDetails("f", "none", TENANT);
    assertThat(d.getValue()).isEqualTo("seen");
    assertThat(d.getErrorCode()).isNull();
    assertThat(d.getReason()).isEqualTo(FlagstackProvider.REASON_STALE);
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_SOURCE)).isEqualTo("stale");
    assertThat(d.getFlagMetadata().getString(FlagstackProvider.METADATA_LAYER)).isEqualTo("api");
  }
}
