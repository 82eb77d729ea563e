package dev.flagstack.store.grpc.internal;

import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import java.util.Set;

/**
 * Where a watch stands in the server's change sequence (the epoch and version of the last event it
 * processed), and what each {@code ChangeEvent} means for the caches, by the WatchChanges contract of the
 * module README. The one rule behind every case: only an event that provably follows the last one may
 * name keys; anything the client cannot account for is {@link Kind#EVERYTHING}, so no change is ever
 * missed silently. After every event the position moves to that event's, so the stream goes on. Not
 * thread-safe: its watch guards it.
 */
public final class ChangePosition {
  /** The most keys one event may carry, as the contract says. */
  public static final int MAX_KEYS = 1000;

  /** What to tell the listener. */
  public enum Kind {
    /** A heartbeat at the current version. */
    NOTHING,
    /** These flags changed, and nothing else since the last event. */
    KEYS,
    /** Anything may have changed. */
    EVERYTHING
  }

  /**
   * The meaning of one event: {@code keys} for {@link Kind#KEYS}; {@code why} says what led to it, and
   * {@code malformed} whether the event broke the protocol.
   */
  public static final class Verdict {
    private static final Verdict NOTHING = new Verdict(Kind.NOTHING, Set.of(), "a heartbeat", false);

    public final Kind kind;
    public final Set<String> keys;
    public final String why;
    public final boolean malformed;

    private Verdict(Kind kind, Set<String> keys, String why, boolean malformed) {
      this.kind = kind;
      this.keys = keys;
      this.why = why;
      this.malformed = malformed;
    }

    static Verdict everything(String why) {
      return new Verdict(Kind.EVERYTHING, Set.of(), why, false);
    }

    static Verdict malformed(String why) {
      return new Verdict(Kind.EVERYTHING, Set.of(), why, true);
    }
  }

  private String epoch = "";
  private long version;

  /** The request that resumes from here: empty epoch and version 0 before any event. */
  public WatchChangesRequest request() {
    return WatchChangesRequest.newBuilder().setEpoch(epoch).setSinceVersion(version).build();
  }

  /** The epoch of the last event processed; empty before any. */
  public String epoch() {
    return epoch;
  }

  /** The version of the last event processed; 0 before any. Unsigned, as in the protocol. */
  public long version() {
    return version;
  }

  /** What {@code event} means, moving the position to it. */
  public Verdict next(ChangeEvent event) {
    Verdict verdict = judge(event);
    if (event.getEpoch().isEmpty()) {
      epoch = "";
      version = 0;
    } else {
      epoch = event.getEpoch();
      version = event.getVersion();
    }
    return verdict;
  }

  private Verdict judge(ChangeEvent event) {
    int count = event.getFlagKeysCount();
    if (event.getEpoch().isEmpty()) {
      return Verdict.malformed("an event without an epoch");
    }
    if (event.getEverything() && count > 0) {
      return Verdict.malformed("an event with everything = true and " + count + " keys");
    }
    if (count > MAX_KEYS) {
      return Verdict.malformed("an event with " + count + " keys, more than " + MAX_KEYS);
    }
    for (int i = 0; i < count; i++) {
      if (event.getFlagKeys(i).isEmpty()) {
        return Verdict.malformed("an event with an empty key at flag_keys[" + i + "]");
      }
    }
    if (!event.getEpoch().equals(epoch)) {
      return Verdict.everything(epoch.isEmpty() ? "the first event, in epoch " + ReplyReader.quote(event.getEpoch())
          : "a new epoch " + ReplyReader.quote(event.getEpoch()) + " after " + ReplyReader.quote(epoch));
    }
    long v = event.getVersion();
    int step = Long.compareUnsigned(v, version);
    if (step < 0) {
      return Verdict.malformed("version went backwards from " + Long.toUnsignedString(version) + " to "
          + Long.toUnsignedString(v) + " within epoch " + ReplyReader.quote(epoch));
    }
    if (event.getEverything()) {
      return Verdict.everything("the server said everything at version " + Long.toUnsignedString(v));
    }
    if (count == 0) {
      return step == 0 ? Verdict.NOTHING : Verdict.everything("a heartbeat at version " + Long.toUnsignedString(v)
          + " after version " + Long.toUnsignedString(version) + ": changes were not sent");
    }
    if (step == 0) {
      return Verdict.malformed("a change at version " + Long.toUnsignedString(v) + ", which it repeats");
    }
    if (v != version + 1) {
      return Verdict.everything("a gap: version " + Long.toUnsignedString(v) + " after "
          + Long.toUnsignedString(version));
    }
    return new Verdict(Kind.KEYS, Set.copyOf(event.getFlagKeysList()), "a change", false);
  }
}
