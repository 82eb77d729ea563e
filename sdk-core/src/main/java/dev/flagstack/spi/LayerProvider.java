package dev.flagstack.spi;

import java.util.Set;

/**
 * Makes cache tiers or stores of one type from configuration, so a client can be built from flat settings
 * such as {@code flagstack.caches=memory,redis} (see {@code dev.flagstack.FlagClientConfig}).
 *
 * <p>A provider registers through {@link java.util.ServiceLoader}: a public class with a public no-argument
 * constructor, named in {@code META-INF/services/dev.flagstack.spi.LayerProvider}. The built-in types are
 * {@code memory} (sdk-cache-memory), {@code redis} (sdk-cache-redis), {@code mongo} (sdk-store-mongo),
 * {@code rest} (sdk-store-rest), {@code grpc} (sdk-store-grpc) and {@code postgres} (sdk-store-jdbc); a
 * provider of your own registers the same way, or is passed to {@code FlagClientConfig.withProvider}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #type()} is lower case, starts with a letter and holds only letters, digits and {@code -};
 *       it must not be {@code type} or {@code breaker}, and must be unique among the registered providers.
 *   <li>The create methods read their settings only through the {@link LayerConfig} they are given: a
 *       setting under the layer's prefix that no getter asked for is reported as an unknown key, so a
 *       typo fails the build instead of being ignored.
 *   <li>They fail with {@code FlagConfigurationException} (what {@link LayerConfig}'s getters throw, or
 *       {@link LayerConfig#invalid}) and never put a secret in a message. They must not wait for a
 *       backend: a backend that is down at start-up is a runtime failure the client handles, not a
 *       configuration error.
 *   <li>Implementations are stateless and thread-safe; the client owns and closes what they create.
 * </ul>
 */
public interface LayerProvider {
  /** What a provider can make. */
  enum Kind {
    /** A cache tier, listed in {@code flagstack.caches}. */
    CACHE,
    /** A store, for {@code flagstack.primary.type} or {@code flagstack.secondary.type}. */
    STORE
  }

  /** The type name used in configuration, such as {@code "redis"}. */
  String type();

  /** What this provider can make; at least one kind. */
  Set<Kind> kinds();

  /**
   * A cache tier configured by {@code config}, whose prefix is {@code flagstack.cache.<type>.}. The
   * default refuses: override it when {@link #kinds()} holds {@link Kind#CACHE}.
   */
  default FlagCache createCache(LayerConfig config) {
    throw config.invalid(null, "type '" + type() + "' cannot be a cache");
  }

  /**
   * A store configured by {@code config}, whose prefix is {@code flagstack.primary.<type>.} or
   * {@code flagstack.secondary.<type>.}. The default refuses: override it when {@link #kinds()} holds
   * {@link Kind#STORE}.
   */
  default FlagStore createStore(LayerConfig config) {
    throw config.invalid(null, "type '" + type() + "' cannot be a store");
  }
}
