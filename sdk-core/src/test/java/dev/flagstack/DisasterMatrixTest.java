package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every combination of cache, primary and secondary condition, and what the caller gets. The seed
 * design's disaster table is a subset: cache times out / is down -> primary answers; primary times out /
 * is down -> secondary answers; secondary down too -> every layer failed.
 */
class DisasterMatrixTest {
  enum CacheCase { HIT, MISS, SLOW, DOWN }

  enum PrimaryCase { OK, SLOW_PAST_TIMEOUT, TRANSIENT_ERROR, NON_TRANSIENT_ERROR, BREAKER_OPEN }

  enum SecondaryCase { OK, DOWN }

  private static final String ENTITY = "tenant-1";
  private static final String FLAG = "new-checkout";
  private static final FlagValue FROM_CACHE = FlagValue.of("from-cache");
  private static final FlagValue FROM_PRIMARY = FlagValue.of("from-primary");
  private static final FlagValue FROM_SECONDARY = FlagValue.of("from-secondary");

  static Stream<Arguments> matrix() {
    List<Arguments> rows = new ArrayList<>();
    for (CacheCase cache : CacheCase.values()) {
      for (PrimaryCase primary : PrimaryCase.values()) {
        for (SecondaryCase secondary : SecondaryCase.values()) {
          rows.add(Arguments.of(cache, primary, secondary));
        }
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "cache {0}, primary {1}, secondary {2}")
  @MethodSource("matrix")
  void everyLayerConditionGivesTheExpectedAnswer(CacheCase cacheCase, PrimaryCase primaryCase,
      SecondaryCase secondaryCase) {
    MutableClock clock = new MutableClock();
    FakeRemoteCache cache = new FakeRemoteCache("redis", Duration.ofMillis(40));
    InMemoryFlagStore primary = new InMemoryFlagStore("api", Duration.ofMillis(60)).put(FLAG, FROM_PRIMARY);
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo", Duration.ofMillis(60)).put(FLAG, FROM_SECONDARY);
    RecordingListener listener = new RecordingListener();
    try (FlagClient client = FlagClient.builder()
        .addCache(cache)
        .primary(primary)
        .secondary(secondary)
        .clock(clock)
        .lastKnownGood(false)
        .eventListener(listener)
        .build()) {

      if (primaryCase == PrimaryCase.BREAKER_OPEN) {
        primary.failTransiently();
        for (int i = 0; i < BreakerSettings.DEFAULT_FAILURE_THRESHOLD; i++) {
          client.getFlagDetail(ENTITY, "warm-up-" + i, FlagValue.FALSE);
        }
        assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.OPEN);
        primary.answer();
      }
      primary.resetCounters();
      secondary.resetCounters();

      switch (cacheCase) {
        case HIT:
          cache.store(ENTITY, FLAG, FROM_CACHE);
          break;
        case MISS:
          cache.mode(FakeRemoteCache.Mode.MISS);
          break;
        case SLOW:
          cache.store(ENTITY, FLAG, FROM_CACHE);
          cache.mode(FakeRemoteCache.Mode.SLOW);
          break;
        default:
          cache.store(ENTITY, FLAG, FROM_CACHE);
          cache.mode(FakeRemoteCache.Mode.DOWN);
      }
      switch (primaryCase) {
        case SLOW_PAST_TIMEOUT:
          primary.answerAfter(Duration.ofMillis(500));
          break;
        case TRANSIENT_ERROR:
          primary.failTransiently();
          break;
        case NON_TRANSIENT_ERROR:
          primary.failNonTransiently();
          break;
        default:
          break;
      }
      if (secondaryCase == SecondaryCase.DOWN) {
        secondary.failTransiently();
      }

      Expected expected = expected(cacheCase, primaryCase, secondaryCase);
      if (expected.value != null) {
        FlagDetail detail = client.getFlagDetail(ENTITY, FLAG, FlagValue.of("default"));
        assertThat(detail.value()).isEqualTo(expected.value);
        assertThat(detail.source()).isEqualTo(expected.source);
        assertThat(detail.layer()).isEqualTo(expected.layer);
        assertThat(client.getFlag(ENTITY, FLAG)).isEqualTo(expected.value);
      } else {
        assertThat(client.getString(ENTITY, FLAG, "default")).isEqualTo("default");
        assertThatThrownBy(() -> client.getFlag(ENTITY, FLAG))
            .isInstanceOf(FlagException.class)
            .satisfies(e -> assertThat(((FlagException) e).errorKind()).isEqualTo(expected.error));
      }

      boolean primaryShouldBeCalled = cacheCase != CacheCase.HIT && primaryCase != PrimaryCase.BREAKER_OPEN;
      assertThat(primary.calls() > 0).as("primary called").isEqualTo(primaryShouldBeCalled);
      boolean secondaryShouldBeCalled = cacheCase != CacheCase.HIT
          && primaryCase != PrimaryCase.OK && primaryCase != PrimaryCase.NON_TRANSIENT_ERROR;
      assertThat(secondary.calls() > 0).as("secondary called").isEqualTo(secondaryShouldBeCalled);
      if (primaryCase == PrimaryCase.NON_TRANSIENT_ERROR) {
        assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
      }
    }
  }

  /** The seed design's disaster table, row by row, as it states each row. */
  @ParameterizedTest(name = "seed row: {0}")
  @org.junit.jupiter.params.provider.CsvSource({
      "Cache times out -> connect to primary store,              SLOW, OK,                OK,   PRIMARY",
      "Cache is down -> connect to primary store,                DOWN, OK,                OK,   PRIMARY",
      "Primary store times out -> circuit to secondary store,    MISS, SLOW_PAST_TIMEOUT, OK,   SECONDARY",
      "Primary store is down -> circuit to secondary store,      MISS, TRANSIENT_ERROR,   OK,   SECONDARY",
      "Breaker open after attempts -> secondary store,           MISS, BREAKER_OPEN,      OK,   SECONDARY",
      "Secondary store is down -> everything is down,            DOWN, TRANSIENT_ERROR,   DOWN, DEFAULT"})
  void seedDisasterTable(String row, CacheCase cache, PrimaryCase primary, SecondaryCase secondary,
      FlagSource servedBy) {
    Expected expected = expected(cache, primary, secondary);
    FlagSource actual = expected.value == null ? FlagSource.DEFAULT : expected.source;
    assertThat(actual).as(row).isEqualTo(servedBy);
    everyLayerConditionGivesTheExpectedAnswer(cache, primary, secondary);
  }

  private static Expected expected(CacheCase cache, PrimaryCase primary, SecondaryCase secondary) {
    if (cache == CacheCase.HIT) {
      return Expected.value(FROM_CACHE, FlagSource.CACHE, "redis");
    }
    switch (primary) {
      case OK:
        return Expected.value(FROM_PRIMARY, FlagSource.PRIMARY, "api");
      case NON_TRANSIENT_ERROR:
        return Expected.error(FlagErrorKind.INVALID_REQUEST);
      default:
        return secondary == SecondaryCase.OK
            ? Expected.value(FROM_SECONDARY, FlagSource.SECONDARY, "mongo")
            : Expected.error(FlagErrorKind.UNAVAILABLE);
    }
  }

  private static final class Expected {
    final FlagValue value;
    final FlagSource source;
    final String layer;
    final FlagErrorKind error;

    private Expected(FlagValue value, FlagSource source, String layer, FlagErrorKind error) {
      this.value = value;
      this.source = source;
      this.layer = layer;
      this.error = error;
    }

    static Expected value(FlagValue value, FlagSource source, String layer) {
      return new Expected(value, source, layer, null);
    }

    static Expected error(FlagErrorKind error) {
      return new Expected(null, null, null, error);
    }
  }
}
