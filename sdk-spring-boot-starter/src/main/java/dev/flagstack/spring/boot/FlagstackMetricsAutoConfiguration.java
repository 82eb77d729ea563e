package dev.flagstack.spring.boot;

import dev.flagstack.micrometer.FlagstackMetrics;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spring.boot.internal.ClientListenerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Records the auto-configured client's events as Micrometer meters ({@link FlagstackMetrics}: reads, read
 * latency, cache tier hits and misses, breaker states and transitions, layer failures) when
 * {@code sdk-micrometer} is on the class path and the application has a {@link MeterRegistry} bean (with
 * Actuator, the one Boot configures). The binding is composed with the application's own
 * {@code FlagEventListener} beans and knows the configured cache tiers, so misses are counted per tier.
 * Turn the meters off with {@code management.metrics.enable.flagstack=false}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, FlagstackMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "flagstack", name = "enabled", havingValue = "true", matchIfMissing = true)
public class FlagstackMetricsAutoConfiguration {
  /** The binding, made once the client's cache tiers are known. */
  @Bean
  public ClientListenerFactory flagstackMetricsListener(MeterRegistry registry) {
    return configured -> FlagstackMetrics.builder(registry)
        .cacheTiers(configured.caches().stream().map(FlagCache::name).toArray(String[]::new))
        .build();
  }
}
