package dev.flagstack.spring.boot;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.testing.InMemoryFlagStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user's own store type, {@code test-flags}, registered the way any provider is: through this module's
 * test {@code META-INF/services/dev.flagstack.spi.LayerProvider}. Keys: {@code values} (a list of
 * {@code flag=value}; {@code true}/{@code false} are booleans) and {@code down} (fails every call).
 */
public final class TestFlagsProvider implements LayerProvider {
  /** Every store made, newest last, so tests can reach the one a client was built with. */
  static final List<InMemoryFlagStore> CREATED = new CopyOnWriteArrayList<>();

  @Override
  public String type() {
    return "test-flags";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.STORE);
  }

  @Override
  public FlagStore createStore(LayerConfig config) {
    InMemoryFlagStore store = new InMemoryFlagStore(config.string("name").orElse("test-flags"));
    for (String pair : config.list("values")) {
      int eq = pair.indexOf('=');
      if (eq < 1) {
        throw config.invalid("values", "must list flag=value pairs");
      }
      String value = pair.substring(eq + 1);
      store.put(pair.substring(0, eq), value.equals("true") || value.equals("false")
          ? FlagValue.of(Boolean.parseBoolean(value)) : FlagValue.of(value));
    }
    if (config.booleanValue("down").orElse(false)) {
      store.failTransiently();
    }
    CREATED.add(store);
    return store;
  }

  static InMemoryFlagStore last() {
    return CREATED.get(CREATED.size() - 1);
  }
}
