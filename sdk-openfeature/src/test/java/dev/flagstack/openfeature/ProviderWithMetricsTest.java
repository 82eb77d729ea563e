package dev.flagstack.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.micrometer.FlagstackMetrics;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenFeature provider and the Micrometer binding installed together on one client. */
class ProviderWithMetricsTest {
  private final OpenFeatureAPI api = OpenFeatureAPI.getInstance();

  @AfterEach
  void resetOpenFeature() {
    api.shutdown();
  }

  @Test
  void bothBindingsSeeTheSameClient() throws InterruptedException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlagstackMetrics metrics = FlagstackMetrics.builder(registry).build();
    FlagstackProvider provider = new FlagstackProvider();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    InMemoryFlagStore secondary = new InMemoryFlagStore("mongo").put("f", FlagValue.TRUE);
    try (FlagClient flags = FlagClient.builder().addCache(MemoryFlagCache.builder().build())
        .primary(primary).secondary(secondary).clock(new MutableClock())
        .eventListener(FlagEventListener.compose(provider.eventListener(), metrics)).build()) {
      provider.attach(flags);
      CountDownLatch stale = new CountDownLatch(1);
      api.onProviderStale(details -> stale.countDown());
      api.setProviderAndWait(provider);
      Client client = api.getClient();

      assertThat(client.getBooleanValue("f", false, new ImmutableContext("e"))).isTrue();
      assertThat(client.getBooleanValue("f", false, new ImmutableContext("e"))).isTrue();
      primary.failTransiently();
      for (int i = 0; i < 4; i++) {
        assertThat(client.getBooleanValue("f", false, new ImmutableContext("e" + i))).isTrue();
      }
      assertThat(stale.await(20, TimeUnit.SECONDS)).as("STALE delivered").isTrue();
      assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
      assertThat(registry.get(FlagstackMetrics.READS).tags("source", "cache").counter().count()).isEqualTo(1);
      assertThat(registry.get(FlagstackMetrics.READS).tags("source", "secondary").counter().count()).isEqualTo(4);
      assertThat(registry.get(FlagstackMetrics.BREAKER_STATE).tags("layer", "api", "state", "open").gauge().value())
          .isEqualTo(1);
    }
  }

  /** Memory hits through a client carrying both listeners allocate nothing (thread allocation count). */
  @Test
  void memoryHitsWithBothBindingsInstalledAllocateNothing() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    FlagstackMetrics metrics = FlagstackMetrics.builder(new SimpleMeterRegistry()).cacheTiers("memory").build();
    FlagstackProvider provider = new FlagstackProvider();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary)
        .eventListener(FlagEventListener.compose(provider.eventListener(), metrics)).build()) {
      provider.attach(client);
      boolean sink = false;
      for (int i = 0; i < 50_000; i++) {
        sink ^= client.getBoolean("tenant-" + (i & 63), "f", false);
      }
      String[] entities = new String[64];
      for (int i = 0; i < entities.length; i++) {
        entities[i] = "tenant-" + i;
      }
      long tid = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 200_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      long allocated = threads.getThreadAllocatedBytes(tid) - before;
      assertThat(allocated).as("bytes allocated by 200,000 hits (sink %s)", sink).isLessThan(20_000);
    }
  }
}
