package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.testing.InMemoryFlagStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad ids and batches are refused before any layer is touched, with a message naming the problem. */
class BadInputTest {
  private final InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
  private final FakeRemoteCache cache = new FakeRemoteCache("redis", java.time.Duration.ofMillis(100));
  private final FlagClient client = FlagClient.builder().addCache(cache).primary(primary).build();

  @AfterEach
  void tearDown() {
    assertThat(primary.calls()).as("no bad request reached the primary").isZero();
    assertThat(cache.reads.get()).as("no bad request reached the cache").isZero();
    assertThat(client.primaryBreakerState()).isEqualTo(BreakerState.CLOSED);
    client.close();
  }

  static Stream<Arguments> badIds() {
    return Stream.of(
        Arguments.of(null, "must not be null"),
        Arguments.of("", "must not be empty"),
        Arguments.of("   ", "must not be blank"),
        Arguments.of("x".repeat(257), "257 characters long; the limit is 256"),
        Arguments.of("x".repeat(1_000_000), "1000000 characters long"),
        Arguments.of("ab\ncd", "control character (U+000A) at index 2"),
        Arguments.of("ab\u0000", "control character (U+0000) at index 2"),
        Arguments.of("a\uD800b", "unpaired surrogate at index 1"));
  }

  @ParameterizedTest(name = "entity {1}")
  @MethodSource("badIds")
  void badEntityIsRefusedWithAClearMessage(String entity, String message) {
    assertThatThrownBy(() -> client.getFlag(entity, "f"))
        .isInstanceOf(InvalidFlagRequestException.class)
        .hasMessageContaining("entity")
        .hasMessageContaining(message);
    assertThat(client.getBoolean(entity, "f", false)).isFalse();
    FlagDetail detail = client.getFlagDetail(entity, "f", FlagValue.of("d"));
    assertThat(detail.errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
    assertThat(detail.value()).isEqualTo(FlagValue.of("d"));
    assertThat(client.getFlagAsync(entity, "f")).isCompletedExceptionally();
  }

  @ParameterizedTest(name = "flag {1}")
  @MethodSource("badIds")
  void badFlagIsRefusedWithAClearMessage(String flag, String message) {
    assertThatThrownBy(() -> client.getFlag("e", flag))
        .isInstanceOf(InvalidFlagRequestException.class)
        .hasMessageContaining("flag")
        .hasMessageContaining(message);
    assertThat(client.getString("e", flag, "d")).isEqualTo("d");
    assertThat(client.getLong("e", flag, 7)).isEqualTo(7);
    assertThat(client.getDouble("e", flag, 1.5)).isEqualTo(1.5);
  }

  @Test
  void batchOverTheLimitIsRefused() {
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < FlagClient.Builder.DEFAULT_MAX_BATCH_SIZE + 1; i++) {
      flags.add("f" + i);
    }
    assertThatThrownBy(() -> client.getFlags("e", flags))
        .isInstanceOf(InvalidFlagRequestException.class)
        .hasMessageContaining("1001 flags; the limit is 1000");
  }

  @Test
  void batchWithANullOrBadFlagIsRefusedWhole() {
    assertThatThrownBy(() -> client.getFlags("e", Arrays.asList("f", null)))
        .isInstanceOf(InvalidFlagRequestException.class).hasMessageContaining("flag must not be null");
    assertThatThrownBy(() -> client.getFlags("e", List.of("f", "bad\tflag")))
        .isInstanceOf(InvalidFlagRequestException.class).hasMessageContaining("control character");
    assertThatThrownBy(() -> client.getFlags("e", null))
        .isInstanceOf(InvalidFlagRequestException.class).hasMessageContaining("flags must not be null");
  }

  @Test
  void emptyBatchIsAnEmptyAnswer() {
    assertThat(client.getFlags("e", List.of())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tenant:42", "a b", "ünïcødé", "emoji-\uD83D\uDE80", "$where", "a.b.c", "x\u200By"})
  void oddButValidIdsWork(String id) {
    InMemoryFlagStore store = new InMemoryFlagStore("odd").put(id, id, FlagValue.of(id));
    try (FlagClient odd = FlagClient.builder().primary(store).build()) {
      assertThat(odd.getString(id, id, "default")).isEqualTo(id);
    }
  }

  @Test
  void idOfExactlyTheLimitIsAccepted() {
    String id = "y".repeat(256);
    InMemoryFlagStore store = new InMemoryFlagStore("long").put(id, FlagValue.TRUE);
    try (FlagClient odd = FlagClient.builder().primary(store).build()) {
      assertThat(odd.getBoolean(id, id, false)).isTrue();
    }
  }
}
