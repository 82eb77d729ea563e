package dev.flagstack.internal.config;

import dev.flagstack.FlagConfigurationException;
import dev.flagstack.spi.LayerProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The layer providers by type: those registered through {@link ServiceLoader} and those passed in. */
public final class ProviderRegistry {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,63}");
  /** Names under {@code flagstack.primary.} and friends that belong to the client, as canonical keys. */
  private static final Set<String> RESERVED = Set.of("type", "breaker", "maxconcurrency", "cachettl", "cachemaxentries");

  private final Map<String, LayerProvider> byType;

  private ProviderRegistry(Map<String, LayerProvider> byType) {
    this.byType = byType;
  }

  /** The providers {@code loader} finds, then {@code extra}; two providers of one type are an error. */
  public static ProviderRegistry load(ClassLoader loader, List<LayerProvider> extra) {
    Map<String, LayerProvider> byType = new TreeMap<>();
    try {
      Iterator<LayerProvider> it = ServiceLoader.load(LayerProvider.class, loader).iterator();
      while (it.hasNext()) {
        register(byType, it.next());
      }
    } catch (ServiceConfigurationError e) {
      throw new FlagConfigurationException(null, "a layer provider registered in META-INF/services/"
          + LayerProvider.class.getName() + " cannot be loaded: " + e.getMessage(), e);
    }
    for (LayerProvider p : extra) {
      register(byType, p);
    }
    return new ProviderRegistry(byType);
  }

  private static void register(Map<String, LayerProvider> byType, LayerProvider provider) {
    String type = provider.type();
    String name = provider.getClass().getName();
    if (type == null || !TYPE.matcher(type).matches() || RESERVED.contains(FlatSettings.canonical(type))) {
      throw new FlagConfigurationException(null, "layer provider " + name + " has an invalid type " + type
          + ": it must be lower case, start with a letter, hold only letters, digits and '-', and not be one of "
          + RESERVED);
    }
    if (provider.kinds() == null || provider.kinds().isEmpty()) {
      throw new FlagConfigurationException(null, "layer provider " + name + " (type '" + type + "') declares no kinds");
    }
    LayerProvider previous = byType.putIfAbsent(FlatSettings.canonical(type), provider);
    if (previous != null) {
      throw new FlagConfigurationException(null, "two layer providers claim type '" + type + "': "
          + previous.getClass().getName() + " and " + name);
    }
  }

  /** The provider of {@code type} (any case, dashes optional), or null. */
  public LayerProvider find(String type) {
    return byType.get(FlatSettings.canonical(type));
  }

  /** Whether a provider of the canonical type name {@code canonicalType} makes {@code kind}. */
  boolean provides(String canonicalType, LayerProvider.Kind kind) {
    LayerProvider p = byType.get(canonicalType);
    return p != null && p.kinds().contains(kind);
  }

  /** The type names that make {@code kind}, sorted and comma-separated, or "none". */
  public String known(LayerProvider.Kind kind) {
    List<String> types = new ArrayList<>();
    for (LayerProvider p : byType.values()) {
      if (p.kinds().contains(kind)) {
        types.add(p.type());
      }
    }
    return types.isEmpty()
        ? "none (add a provider module such as " + (kind == LayerProvider.Kind.CACHE ? "sdk-cache-memory" : "sdk-store-mongo") + ")"
        : String.join(", ", types);
  }
}
