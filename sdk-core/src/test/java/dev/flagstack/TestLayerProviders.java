package dev.flagstack;

import dev.flagstack.spi.FlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.testing.InMemoryFlagStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Providers for the core's configuration tests, passed in with withProvider (never through ServiceLoader). */
final class TestLayerProviders {
  private TestLayerProviders() {}

  /** Type {@code fake}: an {@link InMemoryFlagStore}; keys name, call-timeout, token (a secret), fail-with. */
  static final class FakeStores implements LayerProvider {
    final List<InMemoryFlagStore> created = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
      return "fake";
    }

    @Override
    public Set<Kind> kinds() {
      return Set.of(Kind.STORE);
    }

    @Override
    public FlagStore createStore(LayerConfig config) {
      String name = config.string("name").orElse("fake");
      Duration timeout = config.duration("call-timeout").orElse(FlagStore.DEFAULT_CALL_TIMEOUT);
      String token = config.secret("token").orElse("");
      if (token.startsWith("bad")) {
        throw config.invalid("token", "was refused");
      }
      String failWith = config.string("fail-with").orElse("");
      if (!failWith.isEmpty()) {
        throw new IllegalStateException("cannot start with token " + token + " (" + failWith + ")");
      }
      InMemoryFlagStore store = new InMemoryFlagStore(name, timeout);
      created.add(store);
      return store;
    }
  }

  /** Type {@code local}: the core's minimal in-process tier; no keys. */
  static final class LocalTiers implements LayerProvider {
    @Override
    public String type() {
      return "local";
    }

    @Override
    public Set<Kind> kinds() {
      return Set.of(Kind.CACHE);
    }

    @Override
    public FlagCache createCache(LayerConfig config) {
      return new MemoryTier();
    }
  }

  /** A provider with a chosen type and kinds that makes nothing, for registry checks. */
  static LayerProvider named(String type, LayerProvider.Kind... kinds) {
    return new LayerProvider() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Set<Kind> kinds() {
        return Set.of(kinds);
      }
    };
  }
}
