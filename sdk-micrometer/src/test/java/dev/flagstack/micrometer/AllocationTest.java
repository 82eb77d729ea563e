package dev.flagstack.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class AllocationTest {

  /**
   * The memory tier's hits stay allocation-free with the binding installed, composed with a second
   * listener: every hit still counts a read, a cache hit and a latency sample. This counts the thread's
   * allocated bytes over 200,000 hits, not time.
   */
  @Test
  void memoryHitsWithTheBindingInstalledAllocateNothing() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlagstackMetrics metrics = FlagstackMetrics.builder(registry).cacheTiers("memory").flagKeys(10).build();
    FlagEventListener other = new FlagEventListener() {};
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary)
        .eventListener(FlagEventListener.compose(metrics, other)).build()) {
      String[] entities = new String[64];
      for (int i = 0; i < entities.length; i++) {
        entities[i] = "tenant-" + i;
        assertThat(client.getBoolean(entities[i], "f", false)).isTrue();
      }
      boolean sink = false;
      for (int i = 0; i < 50_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      long tid = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 200_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      long allocated = threads.getThreadAllocatedBytes(tid) - before;
      // One object per hit would be at least 16 B each, 3.2 MB in all. Allow 0.1 B per hit for Caffeine's
      // occasional maintenance hand-off to its executor, which is amortised over many reads.
      assertThat(allocated).as("bytes allocated by 200,000 hits (sink %s)", sink).isLessThan(20_000);
    }
    assertThat(registry.get(FlagstackMetrics.CACHE_GETS).tags("layer", "memory", "result", "hit").counter().count())
        .isEqualTo(250_000);
    assertThat(registry.get(FlagstackMetrics.READS).tags("flag", "f", "source", "cache").counter().count())
        .isEqualTo(250_000);
    assertThat(registry.get(FlagstackMetrics.READ_LATENCY).tags("source", "cache").timer().count())
        .isEqualTo(250_000);
  }
}
