package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.spi.LayerHealth;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FlagClient#status()} and status listeners over in-process layers, on an injected clock. */
class ClientStatusTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T10:00:00Z"));
  private final MemoryTier memory = new MemoryTier();
  private final ConnectableCache remote = new ConnectableCache("remote");
  private final InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
  private final InMemoryFlagStore secondary = new InMemoryFlagStore("backup").put("f", FlagValue.TRUE);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<ClientStatus> statusesHeard = new CopyOnWriteArrayList<>();
  private final AtomicInteger entity = new AtomicInteger();
  private FlagClient client;

  private FlagClient client() {
    client = FlagClient.builder().addCache(memory).addCache(remote).primary(primary).secondary(secondary)
        .clock(clock).lastKnownGood(false).build();
    client.addStatusListener((before, after, status) -> {
      events.add(after.role() + " " + after.name() + ": " + describe(before) + " -> " + describe(after));
      statusesHeard.add(status);
    });
    return client;
  }

  private static String describe(LayerStatus s) {
    return (s.available() ? "available" : "unavailable") + (s.breakerState() == null ? "" : " " + s.breakerState())
        + (s.connected() ? "" : " disconnected");
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  /** One read of a fresh entity, so nothing is cached or coalesced. */
  private FlagDetail read() {
    return client.getFlagDetail("e" + entity.incrementAndGet(), "f", FlagValue.FALSE);
  }

  @Test
  void aFreshClientListsEveryLayerInReadOrderAllAvailable() {
    client();
    ClientStatus status = client.status();

    assertThat(status.takenAt()).isEqualTo(clock.instant());
    assertThat(status.layers()).extracting(LayerStatus::name).containsExactly("memory", "remote", "api", "backup");
    assertThat(status.layers()).extracting(LayerStatus::role)
        .containsExactly(FlagSource.CACHE, FlagSource.CACHE, FlagSource.PRIMARY, FlagSource.SECONDARY);
    assertThat(status.layers()).extracting(LayerStatus::breakerState)
        .containsExactly(null, BreakerState.CLOSED, BreakerState.CLOSED, null);
    assertThat(status.layers()).allSatisfy(layer -> {
      assertThat(layer.available()).isTrue();
      assertThat(layer.connected()).isTrue();
      assertThat(layer.failing()).isFalse();
      assertThat(layer.lastFailure()).isNull();
      assertThat(layer.lastFailureAt()).isNull();
    });
    assertThat(status.caches()).extracting(LayerStatus::name).containsExactly("memory", "remote");
    assertThat(status.primary().name()).isEqualTo("api");
    assertThat(status.secondary().name()).isEqualTo("backup");
    assertThat(status.degraded()).isFalse();
    assertThat(status.canLoad()).isTrue();
    assertThat(events).isEmpty();
  }

  @Test
  void thePrimaryBreakerOpensInTheStatusAfterFourFailuresWithTheLastFailureAndItsTime() {
    client();
    primary.failTransiently();
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(read().source()).isEqualTo(FlagSource.SECONDARY);
    }
    LayerStatus afterThree = client.status().primary();
    assertThat(afterThree.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(afterThree.failing()).isTrue();
    assertThat(afterThree.available()).as("the breaker still lets calls through").isTrue();
    assertThat(afterThree.lastFailure()).isEqualTo("StoreException: api is unavailable");
    assertThat(afterThree.lastFailureAt()).isEqualTo(Instant.parse("2025-01-01T10:00:03Z"));

    clock.advance(Duration.ofSeconds(1));
    read();
    ClientStatus status = client.status();
    assertThat(status.primary().breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(status.primary().available()).isFalse();
    assertThat(status.primary().lastFailureAt()).isEqualTo(Instant.parse("2025-01-01T10:00:04Z"));
    assertThat(status.degraded()).isTrue();
    assertThat(status.canLoad()).as("the secondary answers").isTrue();
    assertThat(status.secondary().available()).isTrue();
  }

  @Test
  void theListenerHearsEachBreakerTransitionButNotEachFailure() {
    client();
    primary.failTransiently();
    for (int i = 0; i < 6; i++) {
      read();
    }
    assertThat(events).containsExactly("PRIMARY api: available CLOSED -> unavailable OPEN");
    ClientStatus heard = statusesHeard.get(0);
    assertThat(heard.primary().breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(heard.primary().lastFailure()).as("the failure that tripped it is already recorded")
        .isEqualTo("StoreException: api is unavailable");

    primary.answer();
    clock.advance(BreakerSettings.PRIMARY_DEFAULTS.openDuration().plusMillis(1));
    assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);

    assertThat(events).containsExactly(
        "PRIMARY api: available CLOSED -> unavailable OPEN",
        "PRIMARY api: unavailable OPEN -> unavailable HALF_OPEN",
        "PRIMARY api: unavailable HALF_OPEN -> available CLOSED");
    LayerStatus recovered = client.status().primary();
    assertThat(recovered.failing()).isFalse();
    assertThat(recovered.lastFailure()).as("kept after recovery").isEqualTo("StoreException: api is unavailable");
  }

  @Test
  void theSecondaryIsUnavailableFromItsFirstFailureUntilItAnswersAgain() {
    client();
    primary.failTransiently();
    secondary.failTransiently();
    clock.advance(Duration.ofSeconds(7));
    assertThat(read().source()).isEqualTo(FlagSource.DEFAULT);
    read();
    read();

    ClientStatus status = client.status();
    assertThat(status.secondary().breakerState()).isNull();
    assertThat(status.secondary().failing()).isTrue();
    assertThat(status.secondary().available()).isFalse();
    assertThat(status.secondary().lastFailure()).isEqualTo("StoreException: backup is unavailable");
    assertThat(status.secondary().lastFailureAt()).isEqualTo(Instant.parse("2025-01-01T10:00:07Z"));
    assertThat(status.canLoad()).as("the primary's breaker is still closed").isTrue();
    assertThat(events).containsExactly("SECONDARY backup: available -> unavailable");

    read();
    assertThat(client.status().canLoad()).as("primary open, secondary failing").isFalse();

    secondary.answer();
    assertThat(read().source()).isEqualTo(FlagSource.SECONDARY);
    assertThat(events).containsExactly(
        "SECONDARY backup: available -> unavailable",
        "PRIMARY api: available CLOSED -> unavailable OPEN",
        "SECONDARY backup: unavailable -> available");
    assertThat(client.status().canLoad()).isTrue();
  }

  @Test
  void aRefusalIsAnAnswerNotAFailure() {
    client();
    primary.failNonTransiently();
    for (int i = 0; i < 5; i++) {
      assertThat(read().errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
    }
    LayerStatus api = client.status().primary();
    assertThat(api.failing()).isFalse();
    assertThat(api.lastFailure()).isNull();
    assertThat(events).isEmpty();
  }

  @Test
  void aRemoteTierThatIsDownShowsItsFailureAndItsOpenBreaker() {
    client();
    remote.mode(FakeRemoteCache.Mode.DOWN);
    for (int i = 0; i < 4; i++) {
      assertThat(read().source()).isEqualTo(FlagSource.PRIMARY);
    }
    LayerStatus tier = client.status().caches().get(1);
    assertThat(tier.breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(tier.lastFailure()).isEqualTo("IOException: remote connection refused");
    assertThat(tier.available()).isFalse();
    assertThat(client.status().caches().get(0).available()).as("the in-process tier never fails").isTrue();
    assertThat(events).containsExactly("CACHE remote: available CLOSED -> unavailable OPEN");
  }

  @Test
  void aLayerThatReportsItsConnectionIsHeardAtOnce() {
    client();
    remote.connected(false);
    assertThat(events).containsExactly("CACHE remote: available CLOSED -> unavailable CLOSED disconnected");
    LayerStatus tier = client.status().caches().get(1);
    assertThat(tier.connected()).isFalse();
    assertThat(tier.available()).isFalse();
    assertThat(client.status().degraded()).isTrue();

    remote.connected(true);
    assertThat(events).hasSize(2).last().isEqualTo("CACHE remote: unavailable CLOSED disconnected -> available CLOSED");
    assertThat(client.status().caches().get(1).connected()).isTrue();
  }

  @Test
  void aLayerThatDoesNotPushIsAskedWhenAStatusIsTaken() {
    client();
    remote.connected(false, false);
    assertThat(events).isEmpty();

    assertThat(client.status().caches().get(1).connected()).isFalse();
    assertThat(events).containsExactly("CACHE remote: available CLOSED -> unavailable CLOSED disconnected");
  }

  @Test
  void aSnapshotNeverChanges() {
    client();
    ClientStatus before = client.status();
    ClientStatus copy = ClientStatus.of(before.takenAt(), List.copyOf(before.layers()));
    primary.failTransiently();
    for (int i = 0; i < 4; i++) {
      read();
    }
    assertThat(before).isEqualTo(copy);
    assertThat(before.primary().breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(client.status()).isNotEqualTo(before);
    assertThatThrownBy(() -> before.layers().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> before.caches().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringIsOneLinePerLayerAndShowsNoSecretOfAFailuresCause() {
    FlagValue ignored = FlagValue.TRUE;
    client = FlagClient.builder().addCache(memory).primary(Stores.answering("api", (e, flags) ->
            CompletableFuture.failedFuture(StoreException.transientFailure("api is unreachable",
                new IOException("connect https://svc:s3cret-token@flags.internal failed")))))
        .clock(clock).build();
    clock.advance(Duration.ofSeconds(2));
    assertThat(client.getFlagDetail("e", "f", ignored).source()).isEqualTo(FlagSource.DEFAULT);

    String text = client.status().toString();
    assertThat(text).isEqualTo("FlagClient status at 2025-01-01T10:00:02Z: degraded\n"
        + "  cache 'memory': available\n"
        + "  primary 'api': available, breaker CLOSED, failing, last failure at 2025-01-01T10:00:02Z: "
        + "StoreException: api is unreachable");
    assertThat(text).doesNotContain("s3cret");
  }

  @Test
  void aSnapshotSaysWhenNothingCanBeLoaded() {
    LayerStatus primaryOpen = LayerStatus.builder(FlagSource.PRIMARY, "api").breakerState(BreakerState.OPEN).build();
    ClientStatus alone = ClientStatus.of(clock.instant(), List.of(primaryOpen));
    assertThat(alone.canLoad()).isFalse();
    assertThat(alone.toString()).startsWith("FlagClient status at 2025-01-01T10:00:00Z: cannot load");
    assertThat(alone.secondary()).isNull();
  }

  @Test
  void aThrowingListenerIsContainedAndTheOthersStillHear() {
    client();
    client.addStatusListener((before, after, status) -> {
      throw new IllegalStateException("listener bug");
    });
    List<String> third = new CopyOnWriteArrayList<>();
    client.addStatusListener((before, after, status) -> third.add(after.name()));
    primary.failTransiently();
    for (int i = 0; i < 4; i++) {
      assertThat(read().source()).isEqualTo(FlagSource.SECONDARY);
    }
    assertThat(events).hasSize(1);
    assertThat(third).containsExactly("api");
  }

  @Test
  void aRemovedListenerAndTheListenersOfAClosedClientHearNothing() {
    client();
    List<String> removed = new CopyOnWriteArrayList<>();
    StatusListener listener = (before, after, status) -> removed.add(after.name());
    client.addStatusListener(listener);
    client.removeStatusListener(listener);
    remote.connected(false);
    assertThat(removed).isEmpty();
    assertThat(events).hasSize(1);

    client.close();
    assertThat(remote.listeners).as("the client gave its connection listener back").isEmpty();
    remote.connected(true);
    assertThat(events).hasSize(1);
  }

  @Test
  void readsThatChangeNothingNeverCallTheListener() {
    client();
    assertThat(client.getBoolean("warm", "f", false)).isTrue();
    for (int i = 0; i < 2_000; i++) {
      assertThat(client.getBoolean("warm", "f", false)).isTrue();
      read();
    }
    assertThat(events).isEmpty();
  }

  @Test
  void theBuildersValidateAtOnceNamingTheOption() {
    assertThatThrownBy(() -> LayerStatus.builder(FlagSource.STALE, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("role must be CACHE, PRIMARY or SECONDARY, was STALE");
    assertThatThrownBy(() -> LayerStatus.builder(FlagSource.CACHE, " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> LayerStatus.builder(FlagSource.CACHE, "x").connected(false).connected(true))
        .isInstanceOf(IllegalStateException.class).hasMessage("connected was already set to false");
    assertThatThrownBy(() -> LayerStatus.builder(FlagSource.CACHE, "x").lastFailure("boom", null))
        .isInstanceOf(NullPointerException.class).hasMessage("lastFailureAt");
    LayerStatus cache = LayerStatus.builder(FlagSource.CACHE, "memory").build();
    LayerStatus api = LayerStatus.builder(FlagSource.PRIMARY, "api").build();
    assertThatThrownBy(() -> ClientStatus.of(clock.instant(), List.of(cache)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("layers must include the primary");
    assertThatThrownBy(() -> ClientStatus.of(clock.instant(), List.of(api, cache)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cache tier 'memory' is listed after a store");
    assertThatThrownBy(() -> ClientStatus.of(clock.instant(), List.of(api, api)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("layers must be the caches, one primary");
  }

  /** A remote tier that says whether it is connected, and tells its listeners (or not) when that changes. */
  static final class ConnectableCache extends FakeRemoteCache implements LayerHealth {
    final Set<Runnable> listeners = new java.util.concurrent.CopyOnWriteArraySet<>();
    private volatile boolean connected = true;

    ConnectableCache(String name) {
      super(name, Duration.ofSeconds(5));
    }

    void connected(boolean connected) {
      connected(connected, true);
    }

    void connected(boolean connected, boolean tell) {
      this.connected = connected;
      if (tell) {
        listeners.forEach(Runnable::run);
      }
    }

    @Override
    public boolean isConnected() {
      return connected;
    }

    @Override
    public void addConnectionListener(Runnable listener) {
      listeners.add(listener);
    }

    @Override
    public void removeConnectionListener(Runnable listener) {
      listeners.remove(listener);
    }
  }
}
