package dev.flagstack.spring.boot;

import dev.flagstack.FlagClient;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code flagstack} Actuator health component ({@link FlagstackHealthIndicator}) when Actuator is on
 * the class path and there is a {@link FlagClient} bean, auto-configured or the application's own. Off with
 * {@code management.health.flagstack.enabled=false}; replaced by a bean named
 * {@code flagstackHealthIndicator}.
 */
@AutoConfiguration(after = FlagstackAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
public class FlagstackHealthAutoConfiguration {
  /** Nested, so Actuator's condition annotation is read only once Actuator is known to be there. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(FlagClient.class)
  @ConditionalOnBean(FlagClient.class)
  @ConditionalOnEnabledHealthIndicator("flagstack")
  static class Indicator {
    @Bean
    @ConditionalOnMissingBean(name = "flagstackHealthIndicator")
    FlagstackHealthIndicator flagstackHealthIndicator(FlagClient client) {
      return new FlagstackHealthIndicator(client);
    }
  }
}
