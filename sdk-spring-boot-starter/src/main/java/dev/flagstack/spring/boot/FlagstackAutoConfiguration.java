package dev.flagstack.spring.boot;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagEventListener;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.spring.boot.internal.ClientListenerFactory;
import dev.flagstack.spring.boot.internal.DeferredListener;
import dev.flagstack.spring.boot.internal.EnvironmentSettings;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Builds a {@link FlagClient} bean from the application's {@code flagstack.*} properties, with the same keys
 * as {@link FlagClientConfig} ({@code docs/configuration.md}): {@code application.yml}, environment variables
 * and every other property source, in Spring's order of precedence.
 *
 * <ul>
 *   <li>Backs off if the application defines its own {@link FlagClient} or {@link ConfiguredFlagClient}; off
 *       altogether with {@code flagstack.enabled=false}.
 *   <li>{@link LayerProvider} beans are used beside the providers registered through {@code ServiceLoader}.
 *   <li>{@link FlagEventListener} beans (and the Micrometer binding of {@link FlagstackMetricsAutoConfiguration})
 *       are composed with {@link FlagEventListener#compose} into the client's one listener, in
 *       {@link org.springframework.core.annotation.Order} order; then {@link FlagClientBuilderCustomizer}
 *       beans adjust the builder (one that calls {@code eventListener} replaces the composed listener).
 *   <li>The client and the layers it was built with are closed with the context. A backend that is down does
 *       not stop the context from starting: building never waits for one.
 * </ul>
 */
@AutoConfiguration
@ConditionalOnClass(FlagClient.class)
@ConditionalOnProperty(prefix = "flagstack", name = "enabled", havingValue = "true", matchIfMissing = true)
public class FlagstackAutoConfiguration {
  /** The client and its layers; closing it closes them all. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean({FlagClient.class, ConfiguredFlagClient.class})
  public ConfiguredFlagClient flagstackConfiguredClient(ConfigurableEnvironment environment,
      ObjectProvider<LayerProvider> providers, ObjectProvider<FlagClientBuilderCustomizer> customizers,
      ObjectProvider<FlagEventListener> listeners, ObjectProvider<ClientListenerFactory> listenerFactories) {
    FlagClientConfig config = EnvironmentSettings.collect(environment);
    for (LayerProvider provider : providers.orderedStream().toList()) {
      config = config.withProvider(provider);
    }
    List<FlagClientBuilderCustomizer> ordered = customizers.orderedStream().toList();
    // Every listener is composed into the one the builder holds, so no contributor overwrites another.
    List<FlagEventListener> all = new ArrayList<>(listeners.orderedStream().toList());
    List<ClientListenerFactory> factories = listenerFactories.orderedStream().toList();
    DeferredListener deferred = new DeferredListener();
    if (!factories.isEmpty()) {
      all.add(deferred);
    }
    FlagEventListener composed = FlagEventListener.compose(all.toArray(new FlagEventListener[0]));
    ConfiguredFlagClient configured = config.build(builder -> {
      if (composed != FlagEventListener.NONE) {
        builder.eventListener(composed);
      }
      ordered.forEach(c -> c.customize(builder));
    });
    try {
      List<FlagEventListener> made = new ArrayList<>();
      for (ClientListenerFactory factory : factories) {
        made.add(factory.create(configured));
      }
      deferred.bind(FlagEventListener.compose(made.toArray(new FlagEventListener[0])));
    } catch (RuntimeException e) {
      configured.close();
      throw e;
    }
    return configured;
  }

  /** The client, for injection; closed with the context (closing twice is harmless). */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(FlagClient.class)
  public FlagClient flagClient(ConfiguredFlagClient configured) {
    return configured.client();
  }
}
