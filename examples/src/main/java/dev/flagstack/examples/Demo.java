package dev.flagstack.examples;

import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;

/**
 * Walks a {@link FlagClient} through the seed design's disaster table with embedded parts only, printing
 * which layer answered each read. Run it with the README's demo command.
 */
public final class Demo {
  private static final String TENANT = "tenant-42";
  private static final String FLAG = "new-checkout";

  private Demo() {}

  public static void main(String[] args) {
    InMemoryFlagStore primary = new InMemoryFlagStore("flags-api", Duration.ofMillis(200))
        .put(FLAG, FlagValue.FALSE).put(TENANT, FLAG, FlagValue.TRUE);
    InMemoryFlagStore secondary = new InMemoryFlagStore("flags-db", Duration.ofMillis(500))
        .put(FLAG, FlagValue.FALSE).put(TENANT, FLAG, FlagValue.TRUE);
    MemoryFlagCache memory = MemoryFlagCache.builder().ttl(Duration.ofMillis(300)).build();

    try (FlagClient client = FlagClient.builder()
        .addCache(memory)
        .primary(primary)
        .secondary(secondary)
        .secondaryCacheTtl(Duration.ofMillis(100))
        .build()) {
      Table table = new Table();

      table.row("everything up, first read", client);
      table.row("everything up, second read", client);

      pause(memory);
      primary.answerAfter(Duration.ofSeconds(2));
      for (int i = 1; i <= 4; i++) {
        table.row("primary times out (" + i + "/4)", client, () -> client.invalidateAll());
      }
      table.row("breaker open: primary skipped", client, () -> client.invalidateAll());

      primary.failTransiently();
      table.row("primary down", client, () -> client.invalidateAll());

      secondary.failTransiently();
      table.row("secondary down too: last known good", client, () -> client.invalidateAll());

      try (FlagClient fresh = client.newBuilder().lastKnownGood(false).build()) {
        table.row("...and nothing seen before: the default", fresh, () -> fresh.invalidateAll());
      }
      System.out.println();
      System.out.println("Primary breaker: " + client.primaryBreakerState()
          + (client.primaryBreakerState() == BreakerState.OPEN ? " (retries after its open period)" : ""));
    }
  }

  private static void pause(MemoryFlagCache memory) {
    memory.invalidateAll();
  }

  /** Prints one line per read: the scenario, the value, the layer that served it, the time taken. */
  private static final class Table {
    Table() {
      System.out.printf("%n%-42s %-7s %-10s %-10s %s%n", "scenario", "value", "source", "layer", "ms");
      System.out.println("-".repeat(80));
    }

    void row(String scenario, FlagClient client) {
      row(scenario, client, () -> { });
    }

    void row(String scenario, FlagClient client, Runnable before) {
      before.run();
      long start = System.nanoTime();
      FlagDetail detail = client.getFlagDetail(TENANT, FLAG, FlagValue.FALSE);
      long millis = (System.nanoTime() - start) / 1_000_000;
      String layer = detail.layer() == null ? "-" : detail.layer();
      String source = detail.isDefault() ? "DEFAULT (" + detail.errorKind() + ")" : detail.source().name();
      System.out.printf("%-42s %-7s %-10s %-10s %d%n", scenario, detail.value().toJson(), source, layer, millis);
    }
  }
}
