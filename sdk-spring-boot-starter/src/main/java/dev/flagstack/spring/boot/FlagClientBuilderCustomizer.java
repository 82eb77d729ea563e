package dev.flagstack.spring.boot;

import dev.flagstack.FlagClient;

/**
 * A bean that adjusts the auto-configured client's builder after the {@code flagstack.*} properties are
 * applied: to add what properties cannot carry, such as an event listener or a clock. Customizers run in
 * {@link org.springframework.core.annotation.Order} order.
 */
@FunctionalInterface
public interface FlagClientBuilderCustomizer {
  /** Adjusts {@code builder}, which already holds the configured layers and settings. */
  void customize(FlagClient.Builder builder);
}
