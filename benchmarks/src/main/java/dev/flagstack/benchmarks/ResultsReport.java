package dev.flagstack.benchmarks;

import dev.flagstack.internal.Json;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Writes {@code RESULTS.md} from one {@code results.sh} run: the machine, JDKs, date and settings, then
 * one table per comparison, each layer's time as a ratio to the raw library call it wraps, and the
 * cold-key stampede's count of primary calls.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.flagstack.benchmarks.ResultsReport OUT.md DIR}, where DIR
 * holds JMH's JSON results ({@code *.json}), {@code run.properties} written by the script and
 * {@code stampede.properties} written by {@link ColdKeyStampede}.
 */
public final class ResultsReport {
  /** What the target allows a layer to add to the call it wraps. */
  static final double TARGET = 1.20;

  private ResultsReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ResultsReport OUT.md DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[1]);
    List<ReportTable.Row> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path json : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String text = Files.readString(json, StandardCharsets.UTF_8);
        if (!text.isBlank()) { // a JMH run that failed as a whole leaves an empty file
          rows.addAll(ReportTable.rows(Json.parse(text)));
        }
      }
    }
    String report = render(rows, load(dir.resolve("run.properties")), load(dir.resolve("stampede.properties")));
    Files.writeString(Path.of(args[0]), report, StandardCharsets.UTF_8);
  }

  static String render(List<ReportTable.Row> rows, Properties run, Properties stampede) throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("# Flagstack benchmark results\n\n");
    out.append("Written by `benchmarks/results.sh`; do not edit by hand. Each layer of a flag read is timed"
        + " against the raw library call it wraps, on the same server in the same run, as a ratio."
        + " Target: a layer adds at most 10-20% (ratio 1.10 to 1.20) to the call it wraps.\n\n");
    out.append("| | |\n|---|---|\n");
    out.append("| Date | ").append(run.getProperty("date", "?")).append(" |\n");
    out.append("| Machine | ").append(Machine.describe()).append(" |\n");
    for (String jdk : rows.stream().map(ReportTable.Row::jdk).distinct().toList()) {
      out.append("| JDK | ").append(jdk).append(", for ").append(String.join(", ", rows.stream()
          .filter(r -> r.jdk().equals(jdk)).map(ReportTable.Row::group).distinct().toList())).append(" |\n");
    }
    out.append("| Settings | JMH 1.37, ").append(run.getProperty("forks", "?")).append(" fork(s), ")
        .append(run.getProperty("warmup", "?")).append(" warm-up and ").append(run.getProperty("iterations", "?"))
        .append(" measured iterations of ").append(run.getProperty("time", "?")).append(" each, `-prof gc` |\n");
    out.append("| Load average (1, 5, 15 min) | ").append(run.getProperty("loadStart", "?")).append(" at the start, ")
        .append(run.getProperty("loadEnd", "?")).append(" at the end |\n\n");
    out.append("**The machine was not quiet.** Other builds and test runs shared its cores during this run (see"
        + " the load average), so every number carries their noise: a scheduler delay lands on whichever"
        + " benchmark is running, and calls that hop between threads are hit hardest. Other tenants only ever"
        + " add time, so compare the *best iteration* ratios first. The verdict column uses them.\n\n");

    out.append("## Summary\n\n");
    out.append("| Comparison | Layer call | Baseline | Params | Threads | Ratio | Ratio, best iterations |"
        + " Within 1.20? |\n|---|---|---|---|---:|---:|---:|---|\n");
    for (Comparison c : Comparison.ALL) {
      List<ReportTable.Row> of = rows.stream().filter(r -> r.group().equals(c.group())).toList();
      String baseline = ReportTable.baselineOf(of);
      if (of.isEmpty() || baseline == null) {
        out.append("| ").append(c.title()).append(" | not measured | | | | | | |\n");
        continue;
      }
      for (ReportTable.Row r : of) {
        ReportTable.Row base = ReportTable.baseFor(r, of, baseline);
        if (!c.layerMethods().contains(r.method()) || base == null) {
          continue;
        }
        double bestRatio = r.best() / base.best();
        out.append("| ").append(c.title()).append(" | `").append(r.method()).append("` | `").append(baseline)
            .append("` | ").append(r.params()).append(" | ").append(r.threads()).append(" | ")
            .append(ReportTable.format(r.score() / base.score())).append(" | ").append(ReportTable.format(bestRatio))
            .append(" | ").append(bestRatio <= TARGET ? "yes" : String.format(Locale.ROOT, "no, +%.0f%%",
                (bestRatio - 1) * 100)).append(" |\n");
      }
    }
    out.append('\n');

    for (Comparison c : Comparison.ALL) {
      out.append("## ").append(c.title()).append("\n\n").append(c.what()).append("\n\n");
      List<ReportTable.Row> of = rows.stream().filter(r -> r.group().equals(c.group())).toList();
      if (of.isEmpty()) {
        out.append("**Not measured in this run:** ").append(c.missing()).append("\n\n");
        continue;
      }
      out.append(ReportTable.render(of, ReportTable.baselineOf(of), false)).append('\n');
      out.append("What the layer adds to the call it wraps: ").append(c.adds()).append("\n\n");
    }

    out.append("## 64 threads missing one cold key\n\n");
    if (stampede.isEmpty()) {
      out.append("**Not measured in this run.**\n\n");
    } else {
      out.append(String.format(Locale.ROOT, "In each of %s rounds, %s threads were released together by a latch"
          + " to read one key no layer had seen, through a client with a memory tier over a primary answering"
          + " after %s ms. Concurrent misses of one key share one load, so the expected answer is 1 primary call"
          + " per %s reads.%n%n", stampede.getProperty("rounds"), stampede.getProperty("threads"),
          stampede.getProperty("primaryLatencyMs"), stampede.getProperty("threads")));
      long reads = Long.parseLong(stampede.getProperty("reads"));
      long calls = Long.parseLong(stampede.getProperty("primaryCalls"));
      int threads = Integer.parseInt(stampede.getProperty("threads"));
      out.append("| Reads | Primary calls | Primary calls per ").append(threads).append(" reads | Per round |"
          + " Round time, median / max | Wrong or failed reads |\n|---:|---:|---:|---|---:|---:|\n");
      out.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %s | %s ms / %s ms | %s |%n%n", reads, calls,
          (double) calls * threads / reads, stampede.getProperty("callsPerRound"),
          stampede.getProperty("roundMsMedian"), stampede.getProperty("roundMsMax"),
          stampede.getProperty("wrongReads")));
    }
    return out.toString();
  }

  private static Properties load(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      }
    }
    return p;
  }
}
