package dev.flagstack.examples.drill;

import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the reads of one period did: how many, which layer answered them, how long they took, how many
 * returned a wrong value (see {@link ValueOracle}) and how many an error. One instance per reading thread,
 * guarded by its own lock, then {@link #add merged}.
 */
public final class ReadStats {
  /** Where a read's answer came from, in the order of the layers. */
  public enum Answer {
    /** The in-process tier. */
    MEMORY,
    /** A remote tier (Redis). */
    REMOTE_CACHE,
    /** The primary store. */
    PRIMARY,
    /** The secondary store. */
    SECONDARY,
    /** The last value seen, every layer having failed. */
    STALE,
    /** A typed or throwing read that succeeded: these do not report which layer answered. */
    NOT_REPORTED,
    /** Nothing: the caller got an error (or its default). */
    ERROR;

    /** The answer a detail reports; {@code firstTier} is the in-process tier's name. */
    public static Answer of(FlagDetail detail, String firstTier) {
      if (detail.isDefault()) {
        return ERROR;
      }
      FlagSource source = detail.source();
      switch (source) {
        case CACHE:
          return firstTier.equals(detail.layer()) ? MEMORY : REMOTE_CACHE;
        case PRIMARY:
          return PRIMARY;
        case SECONDARY:
          return SECONDARY;
        case STALE:
          return STALE;
        default:
          return ERROR;
      }
    }
  }

  private static final int MAX_SAMPLES = 5;

  private final LatencyRecorder latency = new LatencyRecorder();
  private final long[] answers = new long[Answer.values().length];
  private long wrong;
  private long typedThrew;
  private final List<String> wrongSamples = new ArrayList<>();

  /** Records one read. {@code wrongDescription} is null for a right read. */
  public synchronized void record(Answer answer, long nanos, String wrongDescription) {
    latency.record(nanos);
    answers[answer.ordinal()]++;
    if (wrongDescription != null) {
      wrong++;
      if (wrongSamples.size() < MAX_SAMPLES) {
        wrongSamples.add(wrongDescription);
      }
    }
  }

  /** Records a typed read that threw, which it must never do. */
  public synchronized void typedReadThrew(String description) {
    typedThrew++;
    if (wrongSamples.size() < MAX_SAMPLES) {
      wrongSamples.add("typed read threw: " + description);
    }
  }

  /** Adds everything {@code other} recorded. */
  public synchronized void add(ReadStats other) {
    synchronized (other) {
      latency.add(other.latency);
      for (int i = 0; i < answers.length; i++) {
        answers[i] += other.answers[i];
      }
      wrong += other.wrong;
      typedThrew += other.typedThrew;
      for (String s : other.wrongSamples) {
        if (wrongSamples.size() < MAX_SAMPLES) {
          wrongSamples.add(s);
        }
      }
    }
  }

  public synchronized long reads() {
    return latency.count();
  }

  public synchronized long answers(Answer answer) {
    return answers[answer.ordinal()];
  }

  public synchronized long wrong() {
    return wrong;
  }

  public synchronized long errors() {
    return answers[Answer.ERROR.ordinal()];
  }

  public synchronized long typedReadsThatThrew() {
    return typedThrew;
  }

  /** The read latency at {@code percentile}, in nanoseconds. */
  public synchronized long latencyNanos(double percentile) {
    return latency.percentile(percentile);
  }

  public synchronized long maxLatencyNanos() {
    return latency.max();
  }

  /** Up to five descriptions of wrong reads (or typed reads that threw). */
  public synchronized List<String> wrongSamples() {
    return Collections.unmodifiableList(new ArrayList<>(wrongSamples));
  }
}
