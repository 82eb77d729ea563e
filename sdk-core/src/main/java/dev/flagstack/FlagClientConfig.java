package dev.flagstack;

import dev.flagstack.internal.config.ClientAssembler;
import dev.flagstack.internal.config.FlatSettings;
import dev.flagstack.internal.config.ProviderRegistry;
import dev.flagstack.spi.LayerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Builds a {@link FlagClient} and its layers from flat settings: a map, {@link Properties}, environment
 * variables, or (with {@code sdk-spring-boot-starter}) {@code application.yml}.
 *
 * <pre>{@code
 * flagstack.caches=memory,redis
 * flagstack.cache.redis.uri=redis://cache:6379
 * flagstack.primary.type=mongo
 * flagstack.primary.mongo.connection-string=mongodb://db/flagstack
 * flagstack.primary.breaker.failure-threshold=4
 *
 * try (ConfiguredFlagClient flags = FlagClientConfig.fromEnvironment().build()) {
 *   boolean on = flags.client().getBoolean("tenant-42", "new-checkout", false);
 * }
 * }</pre>
 *
 * <h2>Keys</h2>
 * A layer is chosen by its type name and configured under {@code flagstack.cache.<type>.},
 * {@code flagstack.primary.<type>.} or {@code flagstack.secondary.<type>.}; types come from the
 * {@link LayerProvider}s on the class path ({@code memory}, {@code redis}, {@code mongo}, {@code rest},
 * {@code grpc}, {@code postgres} and any of your own).
 * Keys match as Spring Boot's relaxed binding does (case and {@code -}/{@code _} are not significant), and a
 * blank value counts as unset, so an override can remove a setting. The full table is in
 * {@code docs/configuration.md}.
 *
 * <h2>Errors</h2>
 * {@link #build()} checks every key under {@code flagstack.} before it creates a layer: an unknown key, an
 * unknown type, a missing or malformed value is a {@link FlagConfigurationException} naming the key as it
 * was written (environment variable included) and never showing a secret. Keys outside {@code flagstack.}
 * are ignored; keys of a known type that is not selected are ignored too, so one file can hold the settings
 * of several types and a single override switches between them.
 *
 * <p>Immutable and thread-safe; the {@code with...} methods return new instances.
 */
public final class FlagClientConfig {
  /** The prefix of every key: {@value}. */
  public static final String PREFIX = FlatSettings.PREFIX;
  /** The prefix of every environment variable: {@value}. */
  public static final String ENVIRONMENT_PREFIX = FlatSettings.ENV_PREFIX;

  private final FlatSettings settings;
  private final List<LayerProvider> providers;

  private FlagClientConfig(FlatSettings settings, List<LayerProvider> providers) {
    this.settings = settings;
    this.providers = List.copyOf(providers);
  }

  /**
   * The settings of {@code settings} whose keys start with {@code flagstack.}; other keys are ignored.
   *
   * @throws FlagConfigurationException if two keys differ only in case, {@code -} or {@code _}, or a value is null
   */
  public static FlagClientConfig fromMap(Map<String, String> settings) {
    Objects.requireNonNull(settings, "settings");
    return new FlagClientConfig(FlatSettings.fromMap(settings, "the map"), List.of());
  }

  /**
   * The properties whose keys start with {@code flagstack.} (defaults included), such as those of a file
   * or {@link System#getProperties()}; other keys are ignored.
   *
   * @throws FlagConfigurationException if such a property is not a string, or two keys are the same setting
   */
  public static FlagClientConfig fromProperties(Properties properties) {
    Objects.requireNonNull(properties, "properties");
    Map<Object, Object> all = new java.util.LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      all.put(name, properties.getProperty(name));
    }
    properties.forEach(all::putIfAbsent); // non-string values, so they are reported rather than skipped
    return new FlagClientConfig(FlatSettings.fromMap(all, "the properties"), List.of());
  }

  /** The process's environment variables; see {@link #fromEnvironment(Map)}. */
  public static FlagClientConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * The variables of {@code environment} named {@code FLAGSTACK_...}, mapped as Spring Boot maps them:
   * {@code _} becomes {@code .} and the name is lower-cased, so {@code FLAGSTACK_PRIMARY_TYPE} sets
   * {@code flagstack.primary.type}. A key's {@code -} is left out: {@code FLAGSTACK_MAXBATCHSIZE} sets
   * {@code flagstack.max-batch-size}. {@code FLAGSTACK_REDIS_URI}, {@code FLAGSTACK_MONGODB_URI} and
   * {@code FLAGSTACK_REDIS_SERVER}, which only the project's test servers read, are ignored.
   */
  public static FlagClientConfig fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return new FlagClientConfig(FlatSettings.fromEnvironment(environment), List.of());
  }

  /**
   * These settings with those of {@code overrides} replacing any of the same key, such as a file's settings
   * overridden by the environment: {@code fromProperties(file).withOverrides(fromEnvironment())}. The
   * providers of both are kept.
   */
  public FlagClientConfig withOverrides(FlagClientConfig overrides) {
    Objects.requireNonNull(overrides, "overrides");
    List<LayerProvider> all = new ArrayList<>(providers);
    all.addAll(overrides.providers);
    return new FlagClientConfig(settings.overriddenBy(overrides.settings), all);
  }

  /**
   * A provider to use beside those registered through {@link java.util.ServiceLoader}, for one that needs
   * objects of the application; its type must not be registered already.
   */
  public FlagClientConfig withProvider(LayerProvider provider) {
    Objects.requireNonNull(provider, "provider");
    List<LayerProvider> all = new ArrayList<>(providers);
    all.add(provider);
    return new FlagClientConfig(settings, all);
  }

  /** Builds the layers and the client; see {@link #build(Consumer)}. */
  public ConfiguredFlagClient build() {
    return build(builder -> {});
  }

  /**
   * Builds the layers and the client. {@code customizer} receives the client's builder with the layers and
   * settings already applied, to add what flat settings cannot carry (an event listener, a clock). Like
   * {@link FlagClient.Builder#build()}, it never waits for a backend.
   *
   * @throws FlagConfigurationException if a key is unknown, a type is unknown, or a value is missing or
   *     malformed; the layers created so far are closed
   */
  public ConfiguredFlagClient build(Consumer<FlagClient.Builder> customizer) {
    Objects.requireNonNull(customizer, "customizer");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ProviderRegistry registry = ProviderRegistry.load(
        loader != null ? loader : FlagClientConfig.class.getClassLoader(), providers);
    ClientAssembler.Assembly assembly = ClientAssembler.assemble(settings, registry);
    try {
      customizer.accept(assembly.builder());
      return new ConfiguredFlagClient(assembly.builder().build(), assembly);
    } catch (RuntimeException e) {
      assembly.closeLayers();
      throw e;
    }
  }

  /** The settings, with the value of every key that may hold a secret masked. */
  @Override
  public String toString() {
    return "FlagClientConfig" + settings;
  }
}
