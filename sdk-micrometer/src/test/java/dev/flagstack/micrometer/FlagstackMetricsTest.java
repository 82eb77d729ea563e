package dev.flagstack.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.BreakerState;
import dev.flagstack.FakeRemoteCache;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each meter moves as the README says, driven by a real FlagClient. */
class FlagstackMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MutableClock clock = new MutableClock();
  private final InMemoryFlagStore primary = new InMemoryFlagStore("api");
  private final InMemoryFlagStore secondary = new InMemoryFlagStore("mongo");
  private final FakeRemoteCache redis = new FakeRemoteCache("redis", Duration.ofSeconds(2));
  private FlagClient client;

  /** Memory, a remote tier, primary and secondary, on the test's clock. */
  private FlagClient client(FlagstackMetrics metrics) {
    client = FlagClient.builder()
        .addCache(MemoryFlagCache.builder().clock(clock).build())
        .addCache(redis)
        .primary(primary)
        .secondary(secondary)
        .clock(clock)
        .eventListener(metrics).build();
    return client;
  }

  private FlagstackMetrics.Builder metrics() {
    return FlagstackMetrics.builder(registry);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double gauge(String layer, String state) {
    return registry.get(FlagstackMetrics.BREAKER_STATE).tags("layer", layer, "state", state).gauge().value();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void readsAreCountedBySourceLayerAndOutcome() {
    FlagClient c = client(metrics().build());
    primary.put("f", FlagValue.TRUE);
    c.getBoolean("e", "f", false);
    c.getBoolean("e", "f", false);
    c.getBoolean("e", "f", false);
    c.getBoolean("e", "ghost", false);
    c.getBoolean("bad\u0001id", "f", false);

    assertThat(count(FlagstackMetrics.READS, "source", "primary", "layer", "api", "error", "none")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "source", "cache", "layer", "memory", "error", "none")).isEqualTo(2);
    assertThat(count(FlagstackMetrics.READS, "source", "default", "layer", "none", "error", "flag_not_found")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "source", "default", "layer", "none", "error", "invalid_request")).isEqualTo(1);
    assertThat(registry.get(FlagstackMetrics.READS).counters()).hasSize(4);
  }

  @Test
  void latencyIsTimedPerSourceAndLayer() {
    FlagClient c = client(metrics().build());
    primary.put("f", FlagValue.of("v")).answerAfter(Duration.ofMillis(30));
    c.getString("e", "f", "none");
    c.getString("e", "f", "none");
    var fromPrimary = registry.get(FlagstackMetrics.READ_LATENCY).tags("source", "primary", "layer", "api").timer();
    var fromMemory = registry.get(FlagstackMetrics.READ_LATENCY).tags("source", "cache", "layer", "memory").timer();
    assertThat(fromPrimary.count()).isEqualTo(1);
    assertThat(fromPrimary.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(25);
    assertThat(fromMemory.count()).isEqualTo(1);
    assertThat(fromMemory.totalTime(TimeUnit.MILLISECONDS)).isLessThan(fromPrimary.totalTime(TimeUnit.MILLISECONDS));
  }

  @Test
  void cacheGetsGiveEachTierItsHitsAndMisses() {
    FlagClient c = client(metrics().cacheTiers("memory", "redis").build());
    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "redis", "result", "miss")).as("registered up front").isZero();
    primary.put("f", FlagValue.TRUE);
    redis.store("in-redis", "f", FlagValue.FALSE);

    c.getBoolean("e", "f", false);          // memory miss, redis miss, primary
    c.getBoolean("e", "f", false);          // memory hit
    c.getBoolean("in-redis", "f", true);    // memory miss, redis hit
    c.getBoolean("e", "ghost", false);      // memory miss, redis miss, not found

    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "memory", "result", "hit")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "memory", "result", "miss")).isEqualTo(3);
    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "redis", "result", "hit")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "redis", "result", "miss")).isEqualTo(2);
  }

  @Test
  void withoutTheTierOrderOnlyHitsAreCounted() {
    FlagClient c = client(metrics().build());
    primary.put("f", FlagValue.TRUE);
    c.getBoolean("e", "f", false);
    c.getBoolean("e", "f", false);
    assertThat(count(FlagstackMetrics.CACHE_GETS, "layer", "memory", "result", "hit")).isEqualTo(1);
    assertThat(registry.find(FlagstackMetrics.CACHE_GETS).tags("result", "miss").counters()).isEmpty();
  }

  @Test
  void breakerGaugesAndTransitionsFollowThePrimaryBreaker() {
    FlagClient c = client(metrics().build());
    primary.put("f", FlagValue.TRUE);
    secondary.put("f", FlagValue.TRUE);
    c.getBoolean("e", "f", false);
    assertThat(gauge("api", "closed")).as("known once the primary served").isEqualTo(1);
    assertThat(gauge("api", "open")).isZero();

    primary.failTransiently();
    for (int i = 0; i < 4; i++) {
      c.getBoolean("e" + i, "f", false);
    }
    assertThat(c.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(gauge("api", "open")).isEqualTo(1);
    assertThat(gauge("api", "closed")).isZero();
    assertThat(gauge("api", "half_open")).isZero();
    assertThat(count(FlagstackMetrics.BREAKER_TRANSITIONS, "layer", "api", "role", "primary", "from", "closed", "to", "open"))
        .isEqualTo(1);

    primary.answer();
    clock.advance(Duration.ofSeconds(16));
    c.getBoolean("probe", "f", false);
    assertThat(gauge("api", "closed")).isEqualTo(1);
    assertThat(gauge("api", "open")).isZero();
    assertThat(count(FlagstackMetrics.BREAKER_TRANSITIONS, "layer", "api", "from", "open", "to", "half_open")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.BREAKER_TRANSITIONS, "layer", "api", "from", "half_open", "to", "closed")).isEqualTo(1);
  }

  @Test
  void layerFailuresSayWhy() {
    FlagClient c = client(metrics().build());
    secondary.put("f", FlagValue.TRUE);
    primary.failTransiently();
    redis.mode(FakeRemoteCache.Mode.DOWN);
    for (int i = 0; i < 5; i++) {
      c.getBoolean("e" + i, "f", false);
    }
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "api", "role", "primary", "reason", "transient")).isEqualTo(4);
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "api", "role", "primary", "reason", "breaker_open")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "redis", "role", "cache", "reason", "transient")).isEqualTo(4);
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "redis", "role", "cache", "reason", "breaker_open")).isEqualTo(1);
    assertThat(gauge("redis", "open")).as("a remote tier's breaker").isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "source", "secondary", "layer", "mongo", "error", "none")).isEqualTo(5);

    primary.answer().failNonTransiently();
    clock.advance(Duration.ofSeconds(16));
    c.getBoolean("refused", "f", false);
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "api", "reason", "non_transient")).isEqualTo(1);
  }

  @Test
  void aSecondaryWithNoPermitFreedInTimeCountsAsBusy() {
    // A hung call keeps its permit until the store's own stage ends (never); the next read waits one
    // call timeout (1 s) for a permit, then skips the secondary as busy.
    InMemoryFlagStore slow = new InMemoryFlagStore("slow-mongo").hang();
    client = FlagClient.builder().primary(primary).secondary(slow).secondaryMaxConcurrency(1).clock(clock)
        .eventListener(metrics().build()).build();
    primary.failTransiently();
    client.getFlagDetailAsync("first", "f", FlagValue.FALSE);    // holds the only permit
    assertThat(client.getFlagDetail("second", "f", FlagValue.FALSE).isDefault()).isTrue();
    assertThat(count(FlagstackMetrics.LAYER_FAILURES, "layer", "slow-mongo", "role", "secondary", "reason", "busy"))
        .isEqualTo(1);
  }

  @Test
  void lastKnownGoodServesCountAsStale() {
    FlagClient c = client = FlagClient.builder().addCache(MemoryFlagCache.builder().clock(clock).build())
        .primary(primary).clock(clock).eventListener(metrics().build()).build();
    primary.put("f", FlagValue.TRUE);
    c.getBoolean("e", "f", false);
    c.invalidateAll();
    primary.failTransiently();
    assertThat(c.getBoolean("e", "f", false)).isTrue();
    assertThat(count(FlagstackMetrics.READS, "source", "stale", "layer", "api", "error", "none")).isEqualTo(1);
    assertThat(registry.get(FlagstackMetrics.READ_LATENCY).tags("source", "stale").timer().count()).isEqualTo(1);
  }

  @Test
  void noTagEverHoldsAnEntityAndFlagKeysAreOffByDefault() {
    FlagClient c = client(metrics().cacheTiers("memory", "redis").build());
    primary.put("secret-flag", FlagValue.TRUE).failTransiently();
    for (int i = 0; i < 200; i++) {
      c.getBoolean("tenant-" + i, "secret-flag", false);
    }
    primary.answer();
    clock.advance(Duration.ofSeconds(16));
    for (int i = 0; i < 200; i++) {
      c.getBoolean("tenant-" + i, "secret-flag", false);
      c.getBoolean("tenant-" + i, "secret-flag", false);
    }
    int meters = registry.getMeters().size();
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getValue()).as(m.getId().toString()).doesNotStartWith("tenant-").isNotEqualTo("secret-flag");
        assertThat(t.getKey()).isNotEqualTo("flag");
      }
    }
    for (int i = 200; i < 400; i++) {
      c.getBoolean("tenant-" + i, "secret-flag", false);
    }
    assertThat(registry.getMeters()).as("new entities add no series").hasSize(meters);
  }

  @Test
  void flagKeysCanBeTagsUpToTheirBound() {
    FlagClient c = client(metrics().flagKeys(2).build());
    primary.put("a", FlagValue.TRUE).put("b", FlagValue.TRUE).put("c", FlagValue.TRUE);
    c.getBoolean("e", "a", false);
    c.getBoolean("e", "b", false);
    c.getBoolean("e", "c", false);
    c.getBoolean("e", "a", false);
    c.getBoolean("e", "bad\u0000flag", false);
    assertThat(count(FlagstackMetrics.READS, "flag", "a", "source", "primary")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "flag", "a", "source", "cache")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "flag", "b", "source", "primary")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "flag", FlagstackMetrics.OTHER_FLAGS, "source", "primary")).isEqualTo(1);
    assertThat(count(FlagstackMetrics.READS, "flag", FlagstackMetrics.OTHER_FLAGS, "error", "invalid_request")).isEqualTo(1);
    assertThat(registry.find(FlagstackMetrics.READS).tag("flag", "c").counters()).isEmpty();
  }

  @Test
  void commonTagsGoOnEveryMeter() {
    FlagClient c = client(metrics().tags("client", "checkout").cacheTiers("memory", "redis").build());
    primary.put("f", FlagValue.TRUE);
    c.getBoolean("e", "f", false);
    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("client")).as(m.getId().toString()).isEqualTo("checkout"));
  }

  @Test
  void theBuilderNamesTheBadOptionAndValue() {
    assertThatThrownBy(() -> metrics().flagKeys(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flagKeys must be between 1 and 1000, was 0");
    assertThatThrownBy(() -> metrics().flagKeys(1001)).hasMessageContaining("was 1001");
    assertThatThrownBy(() -> metrics().flagKeys(5).flagKeys(6)).isInstanceOf(IllegalStateException.class)
        .hasMessage("flagKeys was already set to 5");
    assertThatThrownBy(() -> metrics().cacheTiers("memory", "memory")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheTiers names 'memory' twice");
    assertThatThrownBy(() -> metrics().cacheTiers(" ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> metrics().cacheTiers()).hasMessageContaining("at least one");
    assertThatThrownBy(() -> metrics().cacheTiers("memory").cacheTiers("redis"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("[memory]");
    assertThatThrownBy(() -> metrics().tags("layer", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'layer'");
    assertThatThrownBy(() -> metrics().tags("odd")).hasMessageContaining("key-value pairs");
    assertThatThrownBy(() -> metrics().tags("a", "b").tags("c", "d")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> FlagstackMetrics.builder(null)).isInstanceOf(NullPointerException.class);
  }
}
