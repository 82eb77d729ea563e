package dev.flagstack.internal.config;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.spi.LayerProvider.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns flat settings into a {@link FlagClient.Builder} with its layers: checks every key first, then
 * creates the layers one by one and closes those already created if a later step fails.
 */
public final class ClientAssembler {
  private static final Logger log = LoggerFactory.getLogger(ClientAssembler.class);
  private static final String ENV_HINT = " (environment variables map '_' to '.': leave out the '-' of a key, "
      + "as in FLAGSTACK_PRIMARY_BREAKER_FAILURETHRESHOLD)";

  /** The builder with every layer added and the core settings applied, and the layers it created. */
  public record Assembly(FlagClient.Builder builder, List<FlagCache> caches, FlagStore primary, FlagStore secondary) {
    /** Closes every layer, last created first; never throws. */
    public void closeLayers() {
      List<AutoCloseable> all = new ArrayList<>(caches);
      if (primary != null) {
        all.add(primary);
      }
      if (secondary != null) {
        all.add(secondary);
      }
      for (int i = all.size() - 1; i >= 0; i--) {
        closeQuietly(all.get(i));
      }
    }
  }

  private ClientAssembler() {}

  public static Assembly assemble(FlatSettings settings, ProviderRegistry registry) {
    LayerSettings core = LayerSettings.of(FlatSettings.PREFIX, settings);
    CoreSettings.Layout layout = CoreSettings.layout(core);
    if (layout.primary() == null) {
      throw new FlagConfigurationException("flagstack.primary.type",
          "flagstack.primary.type is required; known store types: " + registry.known(Kind.STORE));
    }
    FlagClient.Builder builder = FlagClient.builder();
    CoreSettings.apply(core, builder);

    List<LayerProvider> cacheProviders = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String type : layout.caches()) {
      cacheProviders.add(provider(registry, core, CoreSettings.CACHES, type, Kind.CACHE));
      if (!seen.add(FlatSettings.canonical(type))) {
        throw core.invalid(CoreSettings.CACHES, "lists cache type '" + type + "' twice");
      }
    }
    LayerProvider primaryProvider = provider(registry, core, CoreSettings.PRIMARY_TYPE, layout.primary(), Kind.STORE);
    LayerProvider secondaryProvider = layout.secondary()
        .map(t -> provider(registry, core, CoreSettings.SECONDARY_TYPE, t, Kind.STORE)).orElse(null);
    checkKeys(settings, core, registry);

    List<FlagCache> caches = new ArrayList<>();
    FlagStore primary = null;
    FlagStore secondary = null;
    try {
      for (LayerProvider p : cacheProviders) {
        FlagCache cache = create(settings, "cache", p, p::createCache);
        caches.add(cache);
        builder.addCache(cache);
      }
      primary = create(settings, "primary", primaryProvider, primaryProvider::createStore);
      builder.primary(primary);
      if (secondaryProvider != null) {
        secondary = create(settings, "secondary", secondaryProvider, secondaryProvider::createStore);
        builder.secondary(secondary);
      }
    } catch (RuntimeException e) {
      new Assembly(builder, caches, primary, secondary).closeLayers();
      if (e instanceof IllegalStateException) {
        // FlagClient.Builder refused a combination, such as one store instance for two roles.
        throw new FlagConfigurationException(null, "the configured layers cannot be combined: " + e.getMessage(), e);
      }
      throw e;
    }
    log.info("FlagClient configured: caches {}, primary {}, secondary {}", layout.caches(), primaryProvider.type(),
        secondaryProvider == null ? "none" : secondaryProvider.type());
    return new Assembly(builder, List.copyOf(caches), primary, secondary);
  }

  private static LayerProvider provider(ProviderRegistry registry, LayerSettings core, String key, String type,
      Kind kind) {
    String what = kind == Kind.CACHE ? "cache" : "store";
    LayerProvider p = registry.find(type);
    if (p == null) {
      throw core.invalid(key, "names unknown " + what + " type '" + type + "'; known: " + registry.known(kind));
    }
    if (!p.kinds().contains(kind)) {
      throw core.invalid(key, "names type '" + type + "', which cannot be a " + what + "; known " + what
          + " types: " + registry.known(kind));
    }
    return p;
  }

  /** Every key must be the client's own or belong to a known type of the right kind. */
  private static void checkKeys(FlatSettings settings, LayerSettings core, ProviderRegistry registry) {
    for (FlatSettings.Entry e : settings.entries()) {
      if (e.blank() || core.used(e.canonical())) {
        continue;
      }
      String rest = e.canonical().substring(FlatSettings.PREFIX.length());
      int dot = rest.indexOf('.');
      String role = dot < 0 ? rest : rest.substring(0, dot);
      String type = dot < 0 ? "" : rest.substring(dot + 1, rest.indexOf('.', dot + 1) < 0 ? rest.length()
          : rest.indexOf('.', dot + 1));
      boolean hasSetting = dot >= 0 && rest.indexOf('.', dot + 1) > 0;
      Kind kind = role.equals("cache") ? Kind.CACHE
          : role.equals("primary") || role.equals("secondary") ? Kind.STORE : null;
      if (kind != null && hasSetting && registry.provides(type, kind)) {
        continue; // checked by the layer if its type is selected, else unused
      }
      String why = kind != null && hasSetting && !type.equals("breaker")
          ? ": '" + type + "' is not a known " + (kind == Kind.CACHE ? "cache" : "store") + " type (known: "
              + registry.known(kind) + ")"
          : ": no such setting (see docs/configuration.md)";
      throw new FlagConfigurationException(e.written(), "unknown key " + e.written() + why
          + (e.fromEnvironment() ? ENV_HINT : ""));
    }
  }

  private static <T extends AutoCloseable> T create(FlatSettings settings, String role, LayerProvider p,
      Function<LayerSettings, T> factory) {
    LayerSettings config = LayerSettings.of(FlatSettings.PREFIX + role + "." + p.type() + ".", settings);
    T layer;
    try {
      layer = factory.apply(config);
    } catch (FlagConfigurationException e) {
      throw e;
    } catch (RuntimeException e) {
      String layerName = config.prefix().substring(0, config.prefix().length() - 1);
      List<String> secrets = config.secretValues();
      String why = e.getClass().getSimpleName() + ": " + Redaction.redact(e.getMessage(), secrets);
      throw new FlagConfigurationException(layerName, layerName + " cannot be created: " + why,
          secrets.isEmpty() ? e : null);
    }
    if (layer == null) {
      throw config.invalid(null, "provider " + p.getClass().getName() + " returned no layer");
    }
    Set<String> unknown = config.unusedKeys();
    if (!unknown.isEmpty()) {
      closeQuietly(layer);
      String first = unknown.iterator().next();
      throw new FlagConfigurationException(first, "unknown key" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + " for type '" + p.type() + "'; its keys are: "
          + String.join(", ", config.askedKeys()));
    }
    return layer;
  }

  private static void closeQuietly(AutoCloseable layer) {
    try {
      layer.close();
    } catch (Exception e) {
      log.warn("closing layer {} failed: {}", layer.getClass().getSimpleName(), e.getClass().getSimpleName());
    }
  }
}
