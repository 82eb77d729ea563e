package dev.flagstack.cache.memory.internal;

import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import java.util.Set;

/**
 * Type {@code memory}: a {@link MemoryFlagCache} from {@code flagstack.cache.memory.name}, {@code max-size},
 * {@code ttl} and {@code refresh-ahead} (a fraction of the TTL, such as {@code 0.2}).
 */
public final class MemoryLayerProvider implements LayerProvider {
  @Override
  public String type() {
    return "memory";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.CACHE);
  }

  @Override
  public FlagCache createCache(LayerConfig config) {
    MemoryFlagCache.Builder b = MemoryFlagCache.builder();
    config.apply("name", LayerConfig::string, b::name)
        .apply("max-size", LayerConfig::longValue, b::maximumSize)
        .apply("ttl", LayerConfig::duration, b::ttl)
        .apply("refresh-ahead", LayerConfig::doubleValue, b::refreshAhead);
    return b.build();
  }
}
