package dev.flagstack.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.micrometer.FlagstackMetrics;
import dev.flagstack.spring.boot.internal.ClientListenerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Micrometer binding of the auto-configured client, and listener beans composed with it. */
class FlagstackMetricsTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FlagstackAutoConfiguration.class, FlagstackMetricsAutoConfiguration.class))
      .withPropertyValues("flagstack.caches=memory",
          "flagstack.primary.type=test-flags",
          "flagstack.primary.test-flags.values=checkout=true");

  private static double count(MeterRegistry registry, String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aMeterRegistryBeanGetsTheClientsMetersWithMissesPerConfiguredTier() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner.withBean(MeterRegistry.class, () -> registry).run(context -> {
      assertThat(context).hasSingleBean(ClientListenerFactory.class);
      FlagClient client = context.getBean(FlagClient.class);
      assertThat(client.getBoolean("tenant", "checkout", false)).isTrue();
      assertThat(client.getBoolean("tenant", "checkout", false)).isTrue();

      assertThat(count(registry, FlagstackMetrics.READS, "source", "primary")).isEqualTo(1.0);
      assertThat(count(registry, FlagstackMetrics.READS, "source", "cache", "layer", "memory")).isEqualTo(1.0);
      assertThat(count(registry, FlagstackMetrics.CACHE_GETS, "layer", "memory", "result", "hit")).isEqualTo(1.0);
      assertThat(count(registry, FlagstackMetrics.CACHE_GETS, "layer", "memory", "result", "miss"))
          .as("misses are counted because the binding knows the configured tiers").isEqualTo(1.0);
    });
  }

  @Test
  void noMetersWithoutARegistryOrWithoutTheBinding() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ClientListenerFactory.class));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    runner.withBean(MeterRegistry.class, () -> registry)
        .withClassLoader(new FilteredClassLoader(FlagstackMetrics.class))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(ClientListenerFactory.class);
          assertThat(context.getBean(FlagClient.class).getBoolean("tenant", "checkout", false)).isTrue();
          assertThat(registry.getMeters()).isEmpty();
        });
  }

  @Test
  void listenerBeansAndTheBindingAllHearEveryEvent() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    runner.withBean(MeterRegistry.class, () -> registry)
        .withBean("first", FlagEventListener.class, () -> recording(first))
        .withBean("second", FlagEventListener.class, () -> recording(second))
        .run(context -> {
          assertThat(context.getBean(FlagClient.class).getBoolean("tenant", "checkout", false)).isTrue();
          assertThat(first).containsExactly("checkout PRIMARY");
          assertThat(second).containsExactly("checkout PRIMARY");
          assertThat(count(registry, FlagstackMetrics.READS, "source", "primary")).isEqualTo(1.0);
        });
  }

  private static FlagEventListener recording(List<String> into) {
    return new FlagEventListener() {
      @Override
      public void flagResolved(String entity, String flag, FlagSource source, String layer,
          FlagErrorKind errorKind, long nanos) {
        into.add(flag + " " + source);
      }
    };
  }
}
