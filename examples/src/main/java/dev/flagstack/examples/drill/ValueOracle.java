package dev.flagstack.examples.drill;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows which value of each flag was true at every moment, so that every read can be judged.
 *
 * <h2>Windows</h2>
 * Each definition a flag ever had is true during one window {@code [from, until)} of {@link System#nanoTime()}:
 * <ul>
 *   <li>the first definition ({@link #define}) has been true forever;
 *   <li>a change ({@link #beginChange}, then {@link Change#complete()}) opens the new definition's window at
 *       {@code beginChange}, taken <em>before</em> the new document is written to MongoDB, and closes the old
 *       window at {@code complete()}, taken <em>after</em> the flags service has re-read its definitions. In
 *       between both are true: the secondary (MongoDB) already has the new definition while the primary may
 *       still serve the old one, and neither is wrong.
 * </ul>
 *
 * <h2>What a right read is</h2>
 * A read of {@code (entity, flag)} that started at {@code s}, ended at {@code e} and returned {@code v} is
 * <em>right</em> iff some window of the flag has {@code from <= e}, {@code s < until + allowance} and
 * {@code definition.evaluate(entity).equals(v)}. With {@code allowance = 0} this is exactly "the value was
 * true at some moment during the read". A positive {@code allowance} is a documented notice latency: a client
 * learns of a change through a change notice that takes up to that long, so a read that starts more than
 * {@code allowance} after a change completed must return the new value, and a read inside that window may
 * return either. A read that returned a default (every layer failed) is not judged here: it is an error the
 * caller saw, counted apart.
 *
 * <p>Thread-safe. Changes of one flag must not overlap (one writer per flag); reads are judged concurrently
 * with changes. A value is computed with {@link FlagDefinition#evaluate} once per (window, entity) and
 * remembered, so judging a hot read costs a map lookup.
 */
public final class ValueOracle {
  private final long allowanceNanos;
  private final ConcurrentHashMap<String, Window[]> windows = new ConcurrentHashMap<>();

  /** An oracle that lets a read lag a completed change by {@code allowance} (zero: strict). */
  public ValueOracle(Duration allowance) {
    if (allowance.isNegative()) {
      throw new IllegalArgumentException("allowance must not be negative, was " + allowance);
    }
    this.allowanceNanos = allowance.toNanos();
  }

  /** The notice latency this oracle allows. */
  public Duration allowance() {
    return Duration.ofNanos(allowanceNanos);
  }

  /** Declares the definition a flag has had since before any read. */
  public void define(FlagDefinition definition) {
    Window first = new Window(definition, Long.MIN_VALUE);
    if (windows.putIfAbsent(definition.key(), new Window[] {first}) != null) {
      throw new IllegalStateException("flag " + definition.key() + " is already defined; change it instead");
    }
  }

  /** The flag's newest definition. */
  public FlagDefinition current(String flag) {
    Window[] w = windows(flag);
    return w[w.length - 1].definition;
  }

  /**
   * Opens the window of {@code next} now: call it before writing the new definition anywhere, and
   * {@link Change#complete()} once every store serves it.
   */
  public Change beginChange(FlagDefinition next) {
    String flag = next.key();
    Window[] old = windows(flag);
    Window previous = old[old.length - 1];
    if (old.length > 1 && old[old.length - 2].until() == Long.MAX_VALUE) {
      // The window before the newest is still open: the last change was never completed.
      throw new IllegalStateException("a change of " + flag + " is still in progress");
    }
    Window opened = new Window(next, System.nanoTime());
    Window[] grown = java.util.Arrays.copyOf(old, old.length + 1);
    grown[old.length] = opened;
    windows.put(flag, grown);
    return new Change(previous, opened);
  }

  /**
   * Whether {@code value}, read for {@code (entity, flag)} between {@code startNanos} and {@code endNanos},
   * was right (see the class documentation).
   */
  public boolean isRight(String flag, String entity, FlagValue value, long startNanos, long endNanos) {
    Window[] w = windows(flag);
    for (int i = w.length - 1; i >= 0; i--) {
      Window window = w[i];
      if (window.from > endNanos) {
        continue; // not true yet when the read ended
      }
      long until = window.until();
      if (until != Long.MAX_VALUE && until + allowanceNanos <= startNanos) {
        return false; // this window and every older one had ended before the read started
      }
      if (window.valueFor(entity).equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** The value that is true now for {@code (entity, flag)}. */
  public FlagValue valueNow(String flag, String entity) {
    Window[] w = windows(flag);
    return w[w.length - 1].valueFor(entity);
  }

  /** How many definitions {@code flag} has had. */
  public int definitions(String flag) {
    return windows(flag).length;
  }

  private Window[] windows(String flag) {
    Window[] w = windows.get(flag);
    if (w == null) {
      throw new IllegalArgumentException("unknown flag " + flag);
    }
    return w;
  }

  /** A change in progress; {@link #complete()} closes the old definition's window. */
  public static final class Change {
    private final Window previous;
    private final Window opened;

    private Change(Window previous, Window opened) {
      this.previous = previous;
      this.opened = opened;
    }

    /** When the change began ({@link System#nanoTime()}). */
    public long beganNanos() {
      return opened.from;
    }

    /** Closes the old definition's window now, and returns that moment. Idempotent. */
    public long complete() {
      synchronized (previous) {
        if (previous.until == Long.MAX_VALUE) {
          previous.until = System.nanoTime();
        }
        return previous.until;
      }
    }
  }

  private static final class Window {
    final FlagDefinition definition;
    final long from;
    volatile long until = Long.MAX_VALUE;
    private final ConcurrentHashMap<String, FlagValue> values = new ConcurrentHashMap<>();

    Window(FlagDefinition definition, long from) {
      this.definition = Objects.requireNonNull(definition, "definition");
      this.from = from;
    }

    long until() {
      return until;
    }

    FlagValue valueFor(String entity) {
      FlagValue v = values.get(entity);
      if (v == null) {
        v = definition.evaluate(entity);
        if (values.size() < 50_000) {
          values.put(entity, v);
        }
      }
      return v;
    }
  }
}
