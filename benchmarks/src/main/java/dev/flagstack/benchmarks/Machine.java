package dev.flagstack.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine a report was written on: CPU model and logical cores from {@code /proc}, memory. */
final class Machine {
  private Machine() {}

  static String describe() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    String model = System.getProperty("os.arch");
    long cores = Runtime.getRuntime().availableProcessors();
    if (Files.isReadable(cpuinfo)) {
      List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
      model = lines.stream().filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse(model);
      cores = lines.stream().filter(l -> l.startsWith("processor")).count();
    }
    String memory = "";
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.isReadable(meminfo)) {
      memory = Files.readAllLines(meminfo, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("MemTotal:"))
          .map(l -> String.format(Locale.ROOT, ", %.0f GiB",
              Long.parseLong(l.replaceAll("\\D", "")) / (1024.0 * 1024.0)))
          .findFirst().orElse("");
    }
    return model + ", " + cores + " logical cores" + memory + ", " + System.getProperty("os.name") + ' '
        + System.getProperty("os.version");
  }
}
