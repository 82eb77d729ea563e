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
 * where BASELINE is the benchmark method the others are compared with. Without it, each benchmark class
 * is compared with its own baseline: its one method whose name starts with {@code raw}. Reads JSON with
 * the SDK's own strict reader, so it needs nothing beyond the benchmarks jar.
 */
public final class ReportTable {
  private static final String ALLOCATION = "gc.alloc.rate.norm";
  private static final String PACKAGE = "dev.flagstack.benchmarks.";
  /** A baseline method's name starts with this; every benchmark class has exactly one. */
  static final String BASELINE_PREFIX = "raw";

  private ReportTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ReportTable RESULT.json [BASELINE_METHOD]");
      System.exit(2);
    }
    String baseline = args.length == 2 ? args[1] : null;
    Object parsed = Json.parse(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
    System.out.print(render(rows(parsed), baseline));
  }

  /**
   * One benchmark result. {@code group} is the benchmark class ({@code MemoryTierHitBenchmark} also for its
   * nested thread-count variants), {@code callsPerRead} the {@link BackendCalls} ratio or NaN, {@code jdk}
   * the forked JVM's version.
   */
  record Row(String group, String method, String params, int threads, double score, double error, double best,
      String unit, double bytesPerOp, double callsPerRead, String jdk) {}

  static List<Row> rows(Object parsed) {
    List<Row> rows = new ArrayList<>();
    for (Object o : (List<?>) parsed) {
      Map<?, ?> run = (Map<?, ?>) o;
      String name = (String) run.get("benchmark");
      Map<?, ?> primary = (Map<?, ?>) run.get("primaryMetric");
      Map<?, ?> secondary = (Map<?, ?>) run.get("secondaryMetrics");
      Object alloc = secondary == null ? null : secondary.get(ALLOCATION);
      Object reads = secondary == null ? null : secondary.get("reads");
      Object calls = secondary == null ? null : secondary.get("backendCalls");
      String qualified = name.startsWith(PACKAGE) ? name.substring(PACKAGE.length()) : name;
      StringBuilder params = new StringBuilder();
      if (run.get("params") instanceof Map) {
        for (Map.Entry<?, ?> p : ((Map<?, ?>) run.get("params")).entrySet()) {
          params.append(params.length() == 0 ? "" : " ").append(p.getKey()).append('=').append(p.getValue());
        }
      }
      rows.add(new Row(
          qualified.contains(".") ? qualified.substring(0, qualified.indexOf('.')) : qualified,
          name.substring(name.lastIndexOf('.') + 1),
          params.toString(),
          (int) number(run.get("threads")),
          number(primary.get("score")),
          number(primary.get("scoreError")),
          best(primary.get("rawData")),
          (String) primary.get("scoreUnit"),
          alloc == null ? Double.NaN : number(((Map<?, ?>) alloc).get("score")),
          reads == null || calls == null ? Double.NaN
              : number(((Map<?, ?>) calls).get("score")) / number(((Map<?, ?>) reads).get("score")),
          run.get("jdkVersion") + " (" + run.get("vmName") + ")"));
    }
    return rows;
  }

  /** The whole table, one benchmark class after another; {@code baseline} null means each class's own. */
  static String render(List<Row> rows, String baseline) {
    StringBuilder out = new StringBuilder();
    for (String group : rows.stream().map(Row::group).distinct().toList()) {
      List<Row> of = rows.stream().filter(r -> r.group().equals(group)).toList();
      out.append(render(of, baseline != null ? baseline : baselineOf(of), false));
    }
    return out.toString();
  }

  /** The baseline method of one benchmark class: its method named {@code raw...}, or null if none. */
  static String baselineOf(List<Row> group) {
    List<String> raw = group.stream().map(Row::method).filter(m -> m.startsWith(BASELINE_PREFIX)).distinct().toList();
    return raw.size() == 1 ? raw.get(0) : null;
  }

  /**
   * One table for rows of one benchmark class. Parameter sets in the order JMH ran them (their declared
   * order), then threads, baseline first. A column of backend calls per read when any row counted them.
   */
  static String render(List<Row> rows, String baseline, boolean withCalls) {
    List<Row> sorted = new ArrayList<>(rows);
    List<String> paramOrder = rows.stream().map(Row::params).distinct().toList();
    sorted.sort(Comparator.comparingInt((Row r) -> paramOrder.indexOf(r.params()))
        .thenComparingInt(Row::threads)
        .thenComparing(r -> !r.method().equals(baseline))
        .thenComparing(Row::method));
    boolean calls = withCalls || rows.stream().anyMatch(r -> !Double.isNaN(r.callsPerRead()));
    StringBuilder out = new StringBuilder();
    String unit = sorted.isEmpty() ? "score" : sorted.get(0).unit();
    out.append("| Benchmark | Params | Threads | ").append(unit).append(" | Best iteration | Ratio to ")
        .append(baseline).append(" | Ratio, best iterations | B/op |").append(calls ? " Backend calls per read |" : "")
        .append('\n');
    out.append("|---|---|---:|---:|---:|---:|---:|---:|").append(calls ? "---:|" : "").append('\n');
    for (Row r : sorted) {
      Row base = baseFor(r, sorted, baseline);
      String ratio = base == null ? "n/a" : format(r.score() / base.score());
      String bestRatio = base == null ? "n/a" : format(r.best() / base.best());
      String bytes = Double.isNaN(r.bytesPerOp()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.bytesPerOp());
      String error = Double.isNaN(r.error()) ? "?" : format(r.error());
      out.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f ± %s | %.2f | %s | %s | %s |",
          r.method(), r.params(), r.threads(), r.score(), error, r.best(), ratio, bestRatio, bytes));
      if (calls) {
        out.append(' ').append(Double.isNaN(r.callsPerRead()) ? "n/a" : format(r.callsPerRead())).append(" |");
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** The baseline run with the same thread count and parameters as {@code r}, or null. */
  static Row baseFor(Row r, List<Row> rows, String baseline) {
    return rows.stream()
        .filter(b -> b.method().equals(baseline) && b.threads() == r.threads() && b.params().equals(r.params()))
        .findFirst().orElse(null);
  }

  static String format(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
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
