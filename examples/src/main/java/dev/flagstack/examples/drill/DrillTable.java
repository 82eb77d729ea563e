package dev.flagstack.examples.drill;

import dev.flagstack.examples.drill.ReadStats.Answer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The drill's output: a progress line per step while it runs, and the summary table at the end. */
final class DrillTable {
  /** One step's outcome. */
  static final class Row {
    final String step;
    final String broken;
    final double seconds;
    final ReadStats stats;
    final String breakers;
    final String change;

    Row(String step, String broken, double seconds, ReadStats stats, String breakers, String change) {
      this.step = step;
      this.broken = broken;
      this.seconds = seconds;
      this.stats = stats;
      this.breakers = breakers;
      this.change = change;
    }

    double readsPerSecond() {
      return seconds <= 0 ? 0 : stats.reads() / seconds;
    }
  }

  private static final String FORMAT =
      "%-20s %-34s %9s %8s %8s %8s %9s %6s %7s %6s %6s %5s %6s  %-21s %s%n";

  private final PrintStream out;
  private final long startNanos;
  private final List<Row> rows = new ArrayList<>();

  DrillTable(PrintStream out, long startNanos) {
    this.out = out;
    this.startNanos = startNanos;
  }

  void stepStarted(int index, int count, String step, String broken) {
    out.printf(Locale.ROOT, "[%5.1f s] step %d/%d %s (broken: %s) ...%n", elapsed(), index, count, step, broken);
  }

  void stepEnded(Row row) {
    rows.add(row);
    ReadStats s = row.stats;
    out.printf(Locale.ROOT, "[%5.1f s]   %s reads/s, p99 %s, p99.9 %s, wrong %d, errors %d, breakers %s%s%n",
        elapsed(), count(row.readsPerSecond()), duration(s.latencyNanos(99)), duration(s.latencyNanos(99.9)),
        s.wrong(), s.errors(), row.breakers, row.change.isEmpty() ? "" : ", change seen by both in " + row.change);
    for (String sample : s.wrongSamples()) {
      out.println("           wrong: " + sample);
    }
  }

  List<Row> rows() {
    return rows;
  }

  void summary() {
    out.println();
    out.printf(Locale.ROOT, FORMAT, "step", "what was broken", "reads/s", "p50", "p99", "p99.9",
        "memory", "redis", "primary", "mongo", "stale", "wrong", "errors", "breakers A | B", "change seen");
    out.println("-".repeat(188));
    for (Row r : rows) {
      ReadStats s = r.stats;
      out.printf(Locale.ROOT, FORMAT, r.step, r.broken, count(r.readsPerSecond()),
          duration(s.latencyNanos(50)), duration(s.latencyNanos(99)), duration(s.latencyNanos(99.9)),
          count(s.answers(Answer.MEMORY)), count(s.answers(Answer.REMOTE_CACHE)), count(s.answers(Answer.PRIMARY)),
          count(s.answers(Answer.SECONDARY)), count(s.answers(Answer.STALE)), s.wrong(), count(s.errors()),
          r.breakers, r.change.isEmpty() ? "-" : r.change);
    }
    out.println();
    out.println("memory .. stale: how many reads each layer answered (mongo: the secondary, with its 5 s cache of"
        + " definitions); errors: reads that got the caller's default (every layer failed, nothing seen before).");
    out.println("breakers: P = primary, R = Redis tier; C closed, O open, H half-open; arrows: changes during the"
        + " step, for client A | client B.");
  }

  private double elapsed() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static String count(double n) {
    if (n >= 10_000_000) {
      return String.format(Locale.ROOT, "%.0fM", n / 1e6);
    }
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
    if (n >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", n);
  }

  static String duration(long nanos) {
    if (nanos < 1_000) {
      return nanos + " ns";
    }
    if (nanos < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }
    if (nanos < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
