package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, item 6: an in-process tier that throws is a miss and never leaves a read waiting. */
@Timeout(30)
class BrokenTierTest {

  /** An in-process tier that throws for one flag, on reads or on writes. */
  static final class ThrowingTier extends MemoryTier {
    private final String badFlag;
    private final boolean onRead;

    ThrowingTier(String badFlag, boolean onRead) {
      this.badFlag = badFlag;
      this.onRead = onRead;
    }

    @Override
    public FlagValue getIfPresent(String entity, String flag) {
      if (onRead && flag.equals(badFlag)) {
        throw new IllegalStateException("tier bug");
      }
      return super.getIfPresent(entity, flag);
    }

    @Override
    public void put(String entity, String flag, FlagValue value) {
      if (!onRead && flag.equals(badFlag)) {
        throw new IllegalStateException("tier bug");
      }
      super.put(entity, flag, value);
    }
  }

  @Test
  void aSecondTierThatThrowsForOneFlagOfABatchLeavesNoReadWaiting() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("a", FlagValue.of("A")).put("b", FlagValue.of("B"));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).addCache(new ThrowingTier("b", true))
        .primary(primary).build()) {
      CompletableFuture<java.util.Map<String, FlagValue>> batch;
      try {
        batch = client.getFlagsAsync("e", List.of("a", "b"));
      } catch (RuntimeException e) {
        batch = CompletableFuture.failedFuture(e);
      }
      assertThat(batch.get(5, TimeUnit.SECONDS)).containsEntry("a", FlagValue.of("A")).containsEntry("b", FlagValue.of("B"));
      CompletableFuture<FlagValue> single = client.getFlagAsync("e2", "a");
      assertThat(single.get(5, TimeUnit.SECONDS)).isEqualTo(FlagValue.of("A"));
      assertThat(client.getString("e3", "b", "d")).isEqualTo("B");
    }
  }

  @Test
  void aReadThatFailedHalfwayLeavesNoEntryThatLaterReadsWaitOn() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("a", FlagValue.of("A")).put("b", FlagValue.of("B"));
    try (FlagClient client = FlagClient.builder().addCache(new MemoryTier()).addCache(new ThrowingTier("b", true))
        .primary(primary).build()) {
      try {
        client.getFlags("e", List.of("a", "b"));
      } catch (RuntimeException ignored) {
        // today's code throws here; what matters is the next read
      }
      assertThat(client.getFlagAsync("e", "a").get(5, TimeUnit.SECONDS)).isEqualTo(FlagValue.of("A"));
    }
  }

  @Test
  void aHotTierThatThrowsIsAMissAndNoReadThrows() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(new ThrowingTier("f", true)).primary(primary).build()) {
      assertThat(client.getBoolean("e", "f", false)).isTrue();
      assertThat(client.getString("e", "f", "d")).isEqualTo("d");
      assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).value()).isEqualTo(FlagValue.TRUE);
      assertThat(client.getFlag("e", "f")).isEqualTo(FlagValue.TRUE);
      assertThat(client.getFlagAsync("e", "f").get(5, TimeUnit.SECONDS)).isEqualTo(FlagValue.TRUE);
    }
  }

  @Test
  void aTierThatThrowsOnWriteDoesNotFailTheRead() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(new ThrowingTier("f", false)).primary(primary).build()) {
      assertThat(client.getBoolean("e", "f", false)).isTrue();
      assertThat(client.getFlag("e", "f")).isEqualTo(FlagValue.TRUE);
    }
  }
}
