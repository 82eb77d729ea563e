package dev.flagstack.spring.boot;

import dev.flagstack.FlagClient;

/**
 * A bean that adjusts the auto-configured client's builder after the {@code flagstack.*} properties are
 * applied: to add what properties cannot carry, such as a clock or an executor. Customizers run in
 * {@link org.springframework.core.annotation.Order} order, after the application's
 * {@link dev.flagstack.FlagEventListener} beans were composed into the builder's listener: declare listeners
 * as beans, since a customizer that calls {@code eventListener} replaces that composed listener.
 */
@FunctionalInterface
public interface FlagClientBuilderCustomizer {
  /** Adjusts {@code builder}, which already holds the configured layers and settings. */
  void customize(FlagClient.Builder builder);
}
