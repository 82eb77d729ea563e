package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, item 2: last-known-good never brings back a flag that was deleted or invalidated. */
@Timeout(30)
class LastKnownGoodTest {
  private static final FlagValue DEFAULT = FlagValue.of("default");

  @Test
  void aFlagDeletedAtThePrimaryIsNotServedStaleWhenThePrimaryLaterFails() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1"));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      primary.remove("f");
      assertThat(client.getFlagDetail("e", "f", DEFAULT).errorKind()).isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
      primary.failTransiently();
      FlagDetail detail = client.getFlagDetail("e", "f", DEFAULT);
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.DEFAULT);
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    }
  }

  @Test
  void aFlagTheSecondaryDoesNotKnowIsNotServedStaleWhenItLaterFails() {
    MutableClock clock = new MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1"));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo");
    try (FlagClient client = FlagClient.builder().primary(primary).secondary(secondary).clock(clock).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      primary.failTransiently();
      assertThat(client.getFlagDetail("e", "f", DEFAULT).errorKind())
          .as("the secondary says the flag is gone").isEqualTo(FlagErrorKind.FLAG_NOT_FOUND);
      clock.advance(Duration.ofMinutes(1)); // past the secondary's short-lived cache, well within max age
      secondary.failTransiently();
      FlagDetail detail = client.getFlagDetail("e", "f", DEFAULT);
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.DEFAULT);
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.UNAVAILABLE);
    }
  }

  @Test
  void invalidateForgetsTheLastKnownGoodValue() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1"));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      client.invalidate("e", "f");
      primary.failTransiently();
      FlagDetail detail = client.getFlagDetail("e", "f", DEFAULT);
      assertThat(detail.source()).as("%s", detail).isEqualTo(FlagSource.DEFAULT);
    }
  }

  @Test
  void invalidateAllEmptiesTheCachesButKeepsTheSafetyNet() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1"));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).primary(primary).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      client.invalidateAll();
      primary.failTransiently();
      assertThat(client.getFlagDetail("e", "f", DEFAULT).source()).isEqualTo(FlagSource.STALE);
      client.invalidate("e", "f");
      assertThat(client.getFlagDetail("e", "f", DEFAULT).source()).isEqualTo(FlagSource.DEFAULT);
    }
  }

  @Test
  void anotherFlagsLastKnownGoodValueSurvivesTheNotFound() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.of("v1")).put("g", FlagValue.of("g1"));
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      assertThat(client.getString("e", "f", "d")).isEqualTo("v1");
      assertThat(client.getString("e", "g", "d")).isEqualTo("g1");
      primary.remove("f");
      assertThat(client.getString("e", "f", "d")).isEqualTo("d");
      primary.failTransiently();
      assertThat(client.getFlagDetail("e", "g", DEFAULT).source()).isEqualTo(FlagSource.STALE);
    }
  }
}
