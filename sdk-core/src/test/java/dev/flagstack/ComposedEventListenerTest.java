package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ComposedEventListenerTest {

  /** Throws from every callback, as a buggy metrics binding might. */
  private static final class Throwing extends FlagEventListener {
    int calls;

    @Override
    public void flagResolved(String entity, String flag, FlagSource source, String layer,
        FlagErrorKind errorKind, long nanos) {
      calls++;
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void layerFailed(String layer, FlagSource role, Throwable error) {
      calls++;
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
        Duration openFor) {
      calls++;
      throw new IllegalStateException("listener bug");
    }
  }

  @Test
  void everyListenerSeesEveryEventEvenWhenOneBeforeItThrows() {
    RecordingListener first = new RecordingListener();
    Throwing broken = new Throwing();
    RecordingListener last = new RecordingListener();
    MutableClock clock = new MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().primary(primary).clock(clock)
        .eventListener(FlagEventListener.compose(first, broken, last)).build()) {
      assertThat(client.getBoolean("e", "f", false)).isTrue();
      primary.failTransiently();
      for (int i = 0; i < 4; i++) {
        client.getBoolean("e" + i, "f", false);
      }
    }
    assertThat(last.resolved).isEqualTo(first.resolved).hasSize(5).first().isEqualTo("e/f PRIMARY api");
    assertThat(last.layerFailures).isEqualTo(first.layerFailures).hasSize(4);
    assertThat(last.breakerChanges).isEqualTo(first.breakerChanges).containsExactly("PRIMARY api CLOSED->OPEN 15s");
    assertThat(broken.calls).isEqualTo(5 + 4 + 1);
  }

  @Test
  void everyListenerHearsOfFlagChangesEvenWhenOneBeforeItThrows() {
    java.util.List<java.util.Set<String>> first = new java.util.ArrayList<>();
    java.util.List<java.util.Set<String>> last = new java.util.ArrayList<>();
    FlagEventListener throwing = new FlagEventListener() {
      @Override
      public void flagsChanged(java.util.Set<String> flags) {
        throw new IllegalStateException("listener bug");
      }
    };
    dev.flagstack.testing.WatchableStore primary =
        new dev.flagstack.testing.WatchableStore(new InMemoryFlagStore("api").put("f", FlagValue.TRUE));
    try (FlagClient client = FlagClient.builder().primary(primary)
        .eventListener(FlagEventListener.compose(recordingChanges(first), throwing, recordingChanges(last)))
        .build()) {
      primary.announceChanged("f");
      primary.announceEverythingChanged();
    }
    assertThat(first).containsExactly(java.util.Set.of("f"), java.util.Set.of());
    assertThat(last).isEqualTo(first);
  }

  private static FlagEventListener recordingChanges(java.util.List<java.util.Set<String>> into) {
    return new FlagEventListener() {
      @Override
      public void flagsChanged(java.util.Set<String> flags) {
        into.add(flags);
      }
    };
  }

  @Test
  void composingNothingOrOneListenerAddsNoLayer() {
    RecordingListener only = new RecordingListener();
    assertThat(FlagEventListener.compose()).isSameAs(FlagEventListener.NONE);
    assertThat(FlagEventListener.compose(FlagEventListener.NONE, FlagEventListener.NONE)).isSameAs(FlagEventListener.NONE);
    assertThat(FlagEventListener.compose(FlagEventListener.NONE, only)).isSameAs(only);
  }

  @Test
  void aNullListenerIsRefusedWithItsPosition() {
    RecordingListener one = new RecordingListener();
    assertThatThrownBy(() -> FlagEventListener.compose(one, null))
        .isInstanceOf(NullPointerException.class).hasMessage("listeners[1]");
    assertThatThrownBy(() -> FlagEventListener.compose((FlagEventListener[]) null))
        .isInstanceOf(NullPointerException.class).hasMessage("listeners");
  }
}
