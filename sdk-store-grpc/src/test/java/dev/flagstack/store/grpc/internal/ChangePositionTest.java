package dev.flagstack.store.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.store.grpc.internal.ChangePosition.Kind;
import dev.flagstack.store.grpc.internal.ChangePosition.Verdict;
import dev.flagstack.store.grpc.v1.ChangeEvent;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The WatchChanges rules of the README, event by event. */
class ChangePositionTest {
  private final ChangePosition position = new ChangePosition();

  private static ChangeEvent event(String epoch, long version, String... keys) {
    return ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).addAllFlagKeys(List.of(keys)).build();
  }

  private static ChangeEvent everything(String epoch, long version) {
    return ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).setEverything(true).build();
  }

  /** The position at epoch e1, version 5, as after a first event. */
  private void at5() {
    assertThat(position.next(everything("e1", 5)).kind).isEqualTo(Kind.EVERYTHING);
  }

  @Test
  void aFirstWatchAsksFromNothingAndResumesFromTheLastEvent() {
    assertThat(position.request().getEpoch()).isEmpty();
    assertThat(position.request().getSinceVersion()).isZero();
    at5();
    position.next(event("e1", 6, "a"));
    assertThat(position.request().getEpoch()).isEqualTo("e1");
    assertThat(position.request().getSinceVersion()).isEqualTo(6);
  }

  @Test
  void anyFirstEventIsEverythingEvenAHeartbeatOrAChange() {
    assertThat(position.next(event("e1", 5)).kind).isEqualTo(Kind.EVERYTHING);
    ChangePosition other = new ChangePosition();
    assertThat(other.next(event("e1", 1, "a")).kind).isEqualTo(Kind.EVERYTHING);
  }

  @Test
  void theNextVersionNamesItsKeysAndAHeartbeatAtTheSameVersionSaysNothing() {
    at5();
    Verdict change = position.next(event("e1", 6, "a", "b", "a"));
    assertThat(change.kind).isEqualTo(Kind.KEYS);
    assertThat(change.keys).containsExactlyInAnyOrder("a", "b");
    assertThat(position.next(event("e1", 6)).kind).isEqualTo(Kind.NOTHING);
    assertThat(position.next(event("e1", 7, "c")).keys).containsExactly("c");
  }

  @Test
  void aGapANewEpochOrAHeartbeatAheadIsEverythingButNotMalformed() {
    at5();
    Verdict gap = position.next(event("e1", 7, "a"));
    assertThat(gap.kind).isEqualTo(Kind.EVERYTHING);
    assertThat(gap.malformed).isFalse();
    assertThat(gap.why).contains("gap");
    Verdict ahead = position.next(event("e1", 9));
    assertThat(ahead.kind).isEqualTo(Kind.EVERYTHING);
    assertThat(ahead.malformed).isFalse();
    Verdict epoch = position.next(event("e2", 10, "a"));
    assertThat(epoch.kind).isEqualTo(Kind.EVERYTHING);
    assertThat(epoch.why).contains("new epoch 'e2'");
    assertThat(position.next(event("e2", 11, "b")).kind).as("and the stream goes on from there").isEqualTo(Kind.KEYS);
  }

  @Test
  void anEverythingEventIsEverythingAtAnyVersionNotBehind() {
    at5();
    assertThat(position.next(everything("e1", 5)).malformed).isFalse();
    assertThat(position.next(everything("e1", 50)).kind).isEqualTo(Kind.EVERYTHING);
    assertThat(position.version()).isEqualTo(50);
  }

  @Test
  void malformedEventsAreEverythingAndSaySo() {
    at5();
    assertMalformed(event("e1", 4, "a"), "backwards from 5 to 4");
    assertMalformed(event("e1", 3), "backwards from 4 to 3");
    assertMalformed(everything("e1", 2), "backwards from 3 to 2");
    assertMalformed(event("e1", 2, "a"), "repeats");
    assertMalformed(ChangeEvent.newBuilder().setEpoch("e1").setVersion(4).setEverything(true).addFlagKeys("a").build(),
        "everything = true and 1 keys");
    assertMalformed(ChangeEvent.newBuilder().setEpoch("e1").setVersion(5)
        .addAllFlagKeys(IntStream.range(0, 1001).mapToObj(i -> "k" + i).toList()).build(), "1001 keys");
    assertMalformed(event("e1", 6, "a", ""), "empty key");
    assertMalformed(event("", 7, "a"), "without an epoch");
    assertThat(position.request().getEpoch()).as("no epoch: the position is forgotten").isEmpty();
    assertThat(position.request().getSinceVersion()).isZero();
  }

  @Test
  void exactlyTheKeyLimitIsAccepted() {
    at5();
    Verdict full = position.next(ChangeEvent.newBuilder().setEpoch("e1").setVersion(6)
        .addAllFlagKeys(IntStream.range(0, ChangePosition.MAX_KEYS).mapToObj(i -> "k" + i).toList()).build());
    assertThat(full.kind).isEqualTo(Kind.KEYS);
    assertThat(full.keys).hasSize(1000);
  }

  @Test
  void versionsAreUnsigned() {
    position.next(everything("e1", Long.MAX_VALUE));
    Verdict next = position.next(event("e1", Long.MIN_VALUE, "a"));
    assertThat(next.kind).as("2^63 follows 2^63 - 1").isEqualTo(Kind.KEYS);
    assertThat(position.request().getSinceVersion()).isEqualTo(Long.MIN_VALUE);
    assertThat(position.next(event("e1", 1, "b")).malformed).as("1 is behind 2^63").isTrue();
  }

  private void assertMalformed(ChangeEvent event, String why) {
    Verdict verdict = position.next(event);
    assertThat(verdict.kind).isEqualTo(Kind.EVERYTHING);
    assertThat(verdict.malformed).isTrue();
    assertThat(verdict.why).contains(why);
  }
}
