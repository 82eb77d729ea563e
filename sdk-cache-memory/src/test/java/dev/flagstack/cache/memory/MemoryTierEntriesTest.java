package dev.flagstack.cache.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.EntryRefresher;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The tier on its own: per-flag entries, change notices, the shared size budget and the refresh trigger. */
class MemoryTierEntriesTest {

  /** Records what the tier asks to reload; answers as a bound, open client would. */
  private static final class RecordingRefresher implements EntryRefresher {
    final List<String> asked = new CopyOnWriteArrayList<>();
    volatile boolean open = true;

    @Override
    public boolean refresh(String entity, String flag) {
      if (!open) {
        return false;
      }
      asked.add(entity + "/" + flag);
      return true;
    }
  }

  @Test
  void flagsChangedDropsThoseFlagsForEveryEntityAndNothingElse() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    for (String entity : List.of("a", "b", "c")) {
      cache.put(entity, "f", FlagValue.TRUE);
      cache.put(entity, "g", FlagValue.TRUE);
      cache.put(entity, "h", FlagValue.TRUE);
    }
    cache.flagsChanged(Set.of("f", "g", "never-stored"), 0L);
    for (String entity : List.of("a", "b", "c")) {
      assertThat(cache.getIfPresent(entity, "f")).isNull();
      assertThat(cache.getIfPresent(entity, "g")).isNull();
      assertThat(cache.getIfPresent(entity, "h")).isEqualTo(FlagValue.TRUE);
    }
    cache.put("a", "f", FlagValue.FALSE);
    assertThat(cache.getIfPresent("a", "f")).as("a flag dropped can be stored again").isEqualTo(FlagValue.FALSE);
  }

  @Test
  void everythingChangedDropsEveryFlag() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    cache.put("a", "f", FlagValue.TRUE);
    cache.put("b", "g", FlagValue.TRUE);
    cache.everythingChanged(0L);
    assertThat(cache.getIfPresent("a", "f")).isNull();
    assertThat(cache.getIfPresent("b", "g")).isNull();
    cache.put("a", "f", FlagValue.FALSE);
    assertThat(cache.getIfPresent("a", "f")).isEqualTo(FlagValue.FALSE);
  }

  @Test
  void invalidateDropsOneEntityOfOneFlag() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    cache.put("a", "f", FlagValue.TRUE);
    cache.put("b", "f", FlagValue.TRUE);
    cache.put("a", "g", FlagValue.TRUE);
    cache.invalidate("a", "f");
    cache.invalidate("a", "unknown-flag");
    assertThat(cache.getIfPresent("a", "f")).isNull();
    assertThat(cache.getIfPresent("b", "f")).isEqualTo(FlagValue.TRUE);
    assertThat(cache.getIfPresent("a", "g")).isEqualTo(FlagValue.TRUE);
  }

  @Test
  void nullIdsAreAMissNotAnError() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    cache.put("a", "f", FlagValue.TRUE);
    assertThat(cache.getIfPresent(null, "f")).isNull();
    assertThat(cache.getIfPresent("a", null)).isNull();
    cache.invalidate(null, "f");
    assertThat(cache.getIfPresent("a", "f")).isEqualTo(FlagValue.TRUE);
  }

  @Test
  void theSizeBudgetIsSharedByAllFlags() {
    MemoryFlagCache cache = MemoryFlagCache.builder().maximumSize(100).build();
    for (int flag = 0; flag < 50; flag++) {
      for (int entity = 0; entity < 40; entity++) {
        cache.put("e" + entity, "f" + flag, FlagValue.TRUE);
      }
    }
    // Each write that takes the total over the budget trims it at once; only racing writes overshoot.
    assertThat(cache.size()).as("entries across 50 flags of 40 entities").isLessThanOrEqualTo(100);
  }

  @Test
  void aNewFlagFindsRoomWhenAnotherFlagFilledTheBudget() {
    MemoryFlagCache cache = MemoryFlagCache.builder().maximumSize(100).build();
    for (int entity = 0; entity < 100; entity++) {
      cache.put("e" + entity, "big", FlagValue.TRUE);
    }
    for (int entity = 0; entity < 10; entity++) {
      cache.put("e" + entity, "small", FlagValue.FALSE);
    }
    for (int entity = 0; entity < 10; entity++) {
      assertThat(cache.getIfPresent("e" + entity, "small")).isEqualTo(FlagValue.FALSE);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void aReadLateInAnEntrysLifeAsksOnceForItsReload() {
    MutableClock clock = new MutableClock();
    MemoryFlagCache cache = MemoryFlagCache.builder().ttl(Duration.ofSeconds(30)).refreshAhead(0.2).clock(clock).build();
    RecordingRefresher refresher = new RecordingRefresher();
    cache.bindRefresher(refresher);
    cache.put("e", "f", FlagValue.TRUE);
    clock.advance(Duration.ofSeconds(23));
    assertThat(cache.getIfPresent("e", "f")).isEqualTo(FlagValue.TRUE);
    assertThat(refresher.asked).as("7 s of 30 left: not yet").isEmpty();
    clock.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 100; i++) {
      assertThat(cache.getIfPresent("e", "f")).isEqualTo(FlagValue.TRUE);
    }
    assertThat(refresher.asked).as("5 s left: one reload for 100 reads").containsExactly("e/f");
    clock.advance(Duration.ofSeconds(6));
    assertThat(cache.getIfPresent("e", "f")).as("no reload came: the value expires as usual").isNull();

    cache.put("e", "f", FlagValue.FALSE);
    clock.advance(Duration.ofSeconds(25));
    assertThat(cache.getIfPresent("e", "f")).isEqualTo(FlagValue.FALSE);
    assertThat(refresher.asked).as("a new value asks again in its own last 20%").containsExactly("e/f", "e/f");
  }

  @Test
  void anEntryNobodyReadsIsNeverReloaded() {
    MutableClock clock = new MutableClock();
    MemoryFlagCache cache = MemoryFlagCache.builder().ttl(Duration.ofSeconds(30)).clock(clock).build();
    RecordingRefresher refresher = new RecordingRefresher();
    cache.bindRefresher(refresher);
    cache.put("read", "f", FlagValue.TRUE);
    cache.put("unread", "f", FlagValue.TRUE);
    clock.advance(Duration.ofSeconds(26));
    cache.getIfPresent("read", "f");
    clock.advance(Duration.ofSeconds(10));
    assertThat(refresher.asked).containsExactly("read/f");
  }

  @Test
  void refreshAheadZeroNeverAsks() {
    MutableClock clock = new MutableClock();
    MemoryFlagCache cache = MemoryFlagCache.builder().ttl(Duration.ofSeconds(30)).refreshAhead(0).clock(clock).build();
    RecordingRefresher refresher = new RecordingRefresher();
    cache.bindRefresher(refresher);
    cache.put("e", "f", FlagValue.TRUE);
    clock.advance(Duration.ofMillis(29_999));
    assertThat(cache.getIfPresent("e", "f")).isEqualTo(FlagValue.TRUE);
    assertThat(refresher.asked).isEmpty();
  }

  @Test
  void aClosedClientsRefresherIsSkippedAndTheNextOneReloads() {
    MutableClock clock = new MutableClock();
    MemoryFlagCache cache = MemoryFlagCache.builder().ttl(Duration.ofSeconds(30)).clock(clock).build();
    RecordingRefresher closed = new RecordingRefresher();
    RecordingRefresher open = new RecordingRefresher();
    cache.bindRefresher(closed);
    cache.bindRefresher(open);
    closed.open = false;
    cache.put("e", "f", FlagValue.TRUE);
    clock.advance(Duration.ofSeconds(25));
    cache.getIfPresent("e", "f");
    assertThat(open.asked).containsExactly("e/f");
    assertThat(closed.asked).isEmpty();
  }

  @Test
  void refreshAheadMustBeAFractionBelowOne() {
    assertThatThrownBy(() -> MemoryFlagCache.builder().refreshAhead(1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("refreshAhead must be at least 0 and below 1, was 1.0");
    assertThatThrownBy(() -> MemoryFlagCache.builder().refreshAhead(-0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("refreshAhead must be at least 0 and below 1, was -0.1");
    assertThatThrownBy(() -> MemoryFlagCache.builder().refreshAhead(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("refreshAhead must be at least 0 and below 1, was NaN");
  }
}
