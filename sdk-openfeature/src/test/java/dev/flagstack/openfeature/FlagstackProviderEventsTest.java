package dev.flagstack.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Reason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Provider events as OpenFeature delivers them, driven by a real client's breaker and failed reads. */
class FlagstackProviderEventsTest {
  private static final EvaluationContext TENANT = new ImmutableContext("tenant-42");

  private ProviderFixture fixture;

  @AfterEach
  void resetOpenFeature() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void readyOnInitializeStaleWhenThePrimaryBreakerOpensReadyWhenItCloses() throws InterruptedException {
    ProviderFixture f = fixture = new ProviderFixture(true).start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    f.secondary.put("f", FlagValue.of("mongo"));
    f.primary.put("f", FlagValue.of("api")).failTransiently();

    for (int i = 0; i < 3; i++) {
      assertThat(f.client.getStringValue("f", "none", new ImmutableContext("e" + i))).isEqualTo("mongo");
    }
    assertThat(f.flags.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(f.client.getStringValue("f", "none", new ImmutableContext("e3"))).isEqualTo("mongo");
    assertThat(f.flags.primaryBreakerState()).as("4 failures").isEqualTo(BreakerState.OPEN);
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_STALE");
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.STALE);
    assertThat(f.client.getStringDetails("f", "none", new ImmutableContext("e4")).getReason())
        .as("the secondary still answers while stale").isEqualTo(Reason.STATIC.name());

    f.primary.answer();
    f.passOpenPeriod();
    assertThat(f.client.getStringValue("f", "none", new ImmutableContext("e5"))).isEqualTo("api");
    assertThat(f.flags.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(f.events.poll(200, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
  }

  @Test
  void aChangeTheClientLearnsOfIsEmittedAsConfigurationChangedWithTheFlagKeys() throws InterruptedException {
    dev.flagstack.testing.WatchableStore watchable = new dev.flagstack.testing.WatchableStore(
        new InMemoryFlagStore("api").put("f", FlagValue.of("v1")));
    ProviderFixture f = fixture = new ProviderFixture(watchable, false).start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    java.util.concurrent.BlockingQueue<java.util.List<String>> changed = new java.util.concurrent.LinkedBlockingQueue<>();
    f.api.onProviderConfigurationChanged(details -> changed.add(details.getFlagsChanged()));

    watchable.announceChanged("f");

    assertThat(f.nextEvent()).isEqualTo("PROVIDER_CONFIGURATION_CHANGED");
    assertThat(changed.poll(20, TimeUnit.SECONDS)).containsExactly("f");
    watchable.announceEverythingChanged();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_CONFIGURATION_CHANGED");
    assertThat(changed.poll(20, TimeUnit.SECONDS)).as("everything: no keys").isEmpty();
  }

  @Test
  void aFailedProbeKeepsTheProviderStale() throws InterruptedException {
    ProviderFixture f = fixture = new ProviderFixture(true).start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    f.secondary.put("f", FlagValue.TRUE);
    f.primary.failTransiently();
    for (int i = 0; i < 4; i++) {
      f.client.getBooleanValue("f", false, new ImmutableContext("e" + i));
    }
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_STALE");
    f.passOpenPeriod();
    f.client.getBooleanValue("f", false, new ImmutableContext("probe"));
    assertThat(f.recorded.breakerChanges).containsExactly("PRIMARY api CLOSED->OPEN 15s",
        "PRIMARY api OPEN->HALF_OPEN", "PRIMARY api HALF_OPEN->OPEN 30s");
    assertThat(f.events.poll(300, TimeUnit.MILLISECONDS)).as("still stale, no new event").isNull();
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.STALE);
  }

  @Test
  void errorWhenNoLayerCanAnswerAndReadyOnceTheStoreAnswersAgain() throws InterruptedException {
    ProviderFixture f = fixture = new ProviderFixture(false).start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    f.primary.put("f", FlagValue.TRUE).failTransiently();

    assertThat(f.client.getBooleanDetails("f", false, TENANT).getErrorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_ERROR GENERAL");
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.ERROR);
    for (int i = 0; i < 3; i++) {
      f.client.getBooleanValue("f", false, new ImmutableContext("e" + i));
    }
    assertThat(f.flags.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(f.events.poll(300, TimeUnit.MILLISECONDS)).as("error outranks stale").isNull();
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.ERROR);

    f.primary.answer();
    f.passOpenPeriod();
    assertThat(f.client.getBooleanValue("f", false, TENANT)).isTrue();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.READY);
  }

  @Test
  void aLastKnownGoodServeIsNotAnError() throws InterruptedException {
    ProviderFixture f = fixture = new ProviderFixture(false).start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    f.primary.put("f", FlagValue.TRUE);
    assertThat(f.client.getBooleanValue("f", false, TENANT)).isTrue();
    f.flags.invalidateAll();
    f.primary.failTransiently();
    assertThat(f.client.getBooleanDetails("f", false, TENANT).getReason()).isEqualTo(FlagstackProvider.REASON_STALE);
    assertThat(f.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.READY);
  }

  @Test
  void aClientAlreadyDegradedWhenRegisteredTurnsStaleAtTheFirstEvaluation() throws InterruptedException {
    ProviderFixture f = fixture = new ProviderFixture(true);
    f.primary.failTransiently();
    f.secondary.put("f", FlagValue.TRUE);
    for (int i = 0; i < 4; i++) {
      f.flags.getBoolean("e" + i, "f", false);
    }
    assertThat(f.flags.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    f.start();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_READY");
    assertThat(f.client.getBooleanValue("f", false, TENANT)).isTrue();
    assertThat(f.nextEvent()).isEqualTo("PROVIDER_STALE");
    assertThat(f.client.getProviderState()).isEqualTo(ProviderState.STALE);
  }

  @Test
  void aProviderWithoutAClientRefusesToInitialize() {
    FlagstackProvider lonely = new FlagstackProvider();
    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    try {
      assertThatThrownBy(() -> api.setProviderAndWait(lonely)).hasMessageContaining("attach(client)");
      assertThat(api.getClient().getProviderState()).isEqualTo(ProviderState.ERROR);
    } finally {
      api.shutdown();
    }
  }

  @Test
  void aProviderTakesOneClientOnly() {
    InMemoryFlagStore store = new InMemoryFlagStore("api");
    try (FlagClient one = FlagClient.builder().primary(store).build();
        FlagClient two = FlagClient.builder().primary(store).build()) {
      FlagstackProvider provider = new FlagstackProvider().attach(one);
      assertThat(provider.attach(one)).isSameAs(provider);
      assertThatThrownBy(() -> provider.attach(two)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already attached");
      assertThatThrownBy(() -> provider.attach(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void shuttingOpenFeatureDownLeavesTheClientOpen() {
    ProviderFixture f = fixture = new ProviderFixture(false).start();
    f.primary.put("f", FlagValue.TRUE);
    f.api.shutdown();
    assertThat(f.flags.getBoolean("e", "f", false)).isTrue();
    assertThatThrownBy(() -> f.provider.initialize(TENANT)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shut down");
  }
}
