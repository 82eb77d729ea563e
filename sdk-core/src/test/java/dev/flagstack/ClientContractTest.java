package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 7, the smaller items: what the javadoc promises, the code does. */
@Timeout(30)
class ClientContractTest {

  @Test
  void aNullDefaultGivesADefaultedDetailAndNeverThrows() throws Exception {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(primary).build()) {
      FlagDetail detail = client.getFlagDetailAsync("e", "f", null).get(5, TimeUnit.SECONDS);
      assertThat(detail.source()).isEqualTo(FlagSource.DEFAULT);
      assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
      assertThat(detail.value()).isNull();
      assertThat(client.getFlagDetail("e", "f", null).errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
      assertThat(primary.calls()).as("refused before any layer").isZero();
    }
  }

  @Test
  void aStoreThatThrowsFlagNotFoundIsATransientFailureThatFallsBack() {
    FlagStore broken = Stores.answering("api",
        (entity, flags) -> CompletableFuture.failedFuture(new FlagNotFoundException("f")));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE).put("g", FlagValue.FALSE);
    try (FlagClient client = FlagClient.builder().primary(broken).secondary(secondary).build()) {
      assertThat(client.getFlags("e", java.util.List.of("f", "g")))
          .containsEntry("f", FlagValue.TRUE).containsEntry("g", FlagValue.FALSE);
      assertThat(secondary.calls()).isEqualTo(1);
    }
  }

  @Test
  void aStoreThatThrowsInvalidFlagRequestReachesTheCallerAndNeverTripsTheBreaker() {
    FlagStore refusing = Stores.answering("api",
        (entity, flags) -> CompletableFuture.failedFuture(new InvalidFlagRequestException("bad entity for this store")));
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(refusing).secondary(secondary).build()) {
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> client.getFlag("e", "f")).isInstanceOf(InvalidFlagRequestException.class);
      }
      assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
      assertThat(secondary.calls()).isZero();
    }
  }

  @Test
  void aVariantCanSwapItsPrimaryAndSecondary() {
    InMemoryFlagStore first = new InMemoryFlagStore("api").put("f", FlagValue.of("first"));
    InMemoryFlagStore second = new InMemoryFlagStore("api2").put("f", FlagValue.of("second"));
    InMemoryFlagStore mongo = new InMemoryFlagStore("mongo");
    InMemoryFlagStore mongo2 = new InMemoryFlagStore("mongo2");
    try (FlagClient client = FlagClient.builder().primary(first).secondary(mongo).build();
        FlagClient variant = client.newBuilder().primary(second).secondary(mongo2).build()) {
      assertThat(variant.getString("e", "f", "d")).isEqualTo("second");
      assertThat(client.getString("e", "f", "d")).isEqualTo("first");
      assertThat(variant.toString()).isEqualTo("FlagClient{caches=[], primary=api2, secondary=mongo2}");
    }
    assertThatThrownBy(() -> FlagClient.builder().primary(first).primary(second))
        .as("a fresh builder still refuses a second, different primary")
        .isInstanceOf(IllegalStateException.class);
  }

  /** A class that is both a store and a cache tier. */
  static final class StoreAndCache extends FakeRemoteCache implements FlagStore {
    StoreAndCache() {
      super("both", java.time.Duration.ofMillis(100));
    }

    @Override
    public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
      return CompletableFuture.completedFuture(Map.of());
    }

    @Override
    public void close() {}
  }

  @Test
  void aStoreThatIsAlsoOneOfTheCacheTiersIsRefusedAtBuild() {
    StoreAndCache both = new StoreAndCache();
    assertThatThrownBy(() -> FlagClient.builder().addCache((FlagCache) both).primary(both).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("both").hasMessageContaining("cache tier");
    assertThatThrownBy(() -> FlagClient.builder().addCache((FlagCache) both)
        .primary(new InMemoryFlagStore("api")).secondary(both).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
  }
}
