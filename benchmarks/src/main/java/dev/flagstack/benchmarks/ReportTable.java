package dev.flagstack.benchmarks;

import dev.flagstack.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JMH's JSON results as a Markdown table: time per read, its ratio to the baseline run with the
 * same thread count, and bytes allocated per read (from {@code -prof gc}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.flagstack.benchmarks.ReportTable RESULT.json [BASELINE]},
 * where BASELINE is the benchmark method the others are compared with, {@code rawCaffeine} by default.
 * Reads JSON with the SDK's own strict reader, so it needs nothing beyond the benchmarks jar.
 */
public final class ReportTable {
  private static final String ALLOCATION = "gc.alloc.rate.norm";

  private ReportTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ReportTable RESULT.json [BASELINE_METHOD]");
      System.exit(2);
    }
    String baseline = args.length == 2 ? args[1] : "rawCaffeine";
    Object parsed = Json.parse(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
    System.out.print(render(rows(parsed), baseline));
  }

  /** One benchmark result. */
  record Row(String method, String params, int threads, double score, double error, double best, String unit,
      double bytesPerOp) {}

  static List<Row> rows(Object parsed) {
    List<Row> rows = new ArrayList<>();
    for (Object o : (List<?>) parsed) {
      Map<?, ?> run = (Map<?, ?>) o;
      String name = (String) run.get("benchmark");
      Map<?, ?> primary = (Map<?, ?>) run.get("primaryMetric");
      Map<?, ?> secondary = (Map<?, ?>) run.get("secondaryMetrics");
      Object alloc = secondary == null ? null : secondary.get(ALLOCATION);
      StringBuilder params = new StringBuilder();
      if (run.get("params") instanceof Map) {
        for (Map.Entry<?, ?> p : ((Map<?, ?>) run.get("params")).entrySet()) {
          params.append(params.length() == 0 ? "" : " ").append(p.getKey()).append('=').append(p.getValue());
        }
      }
      rows.add(new Row(
          name.substring(name.lastIndexOf('.') + 1),
          params.toString(),
          (int) number(run.get("threads")),
          number(primary.get("score")),
          number(primary.get("scoreError")),
          best(primary.get("rawData")),
          (String) primary.get("scoreUnit"),
          alloc == null ? Double.NaN : number(((Map<?, ?>) alloc).get("score"))));
    }
    return rows;
  }

  static String render(List<Row> rows, String baseline) {
    List<Row> sorted = new ArrayList<>(rows);
    // Parameter sets in the order JMH ran them (their declared order), then threads, baseline first.
    List<String> paramOrder = rows.stream().map(Row::params).distinct().toList();
    sorted.sort(Comparator.comparingInt((Row r) -> paramOrder.indexOf(r.params()))
        .thenComparingInt(Row::threads)
        .thenComparing(r -> !r.method().equals(baseline))
        .thenComparing(Row::method));
    StringBuilder out = new StringBuilder();
    String unit = sorted.isEmpty() ? "score" : sorted.get(0).unit();
    out.append("| Benchmark | Params | Threads | ").append(unit).append(" | Best iteration | Ratio to ")
        .append(baseline).append(" | Ratio, best iterations | B/op |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : sorted) {
      Row base = sorted.stream()
          .filter(b -> b.method().equals(baseline) && b.threads() == r.threads() && b.params().equals(r.params()))
          .findFirst().orElse(null);
      String ratio = base == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.score() / base.score());
      String bestRatio = base == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r.best() / base.best());
      String bytes = Double.isNaN(r.bytesPerOp()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.bytesPerOp());
      String error = Double.isNaN(r.error()) ? "?" : String.format(Locale.ROOT, "%.2f", r.error());
      out.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f ± %s | %.2f | %s | %s | %s |%n",
          r.method(), r.params(), r.threads(), r.score(), error, r.best(), ratio, bestRatio, bytes));
    }
    return out.toString();
  }

  /**
   * The fastest measurement iteration over all forks. On a shared machine other tenants only ever add
   * time, so the best iteration is the least disturbed one.
   */
  private static double best(Object rawData) {
    double best = Double.NaN;
    if (rawData instanceof List) {
      for (Object fork : (List<?>) rawData) {
        for (Object iteration : (List<?>) fork) {
          double v = number(iteration);
          if (Double.isNaN(best) || v < best) {
            best = v;
          }
        }
      }
    }
    return best;
  }

  /** JMH writes a missing error as the string "NaN". */
  private static double number(Object value) {
    if (value instanceof Number) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof String) {
      try {
        return Double.parseDouble((String) value);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }
}
