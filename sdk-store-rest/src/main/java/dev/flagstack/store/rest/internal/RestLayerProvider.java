package dev.flagstack.store.rest.internal;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.store.rest.RestFlagStore;
import java.util.Optional;
import java.util.Set;

/**
 * Type {@code rest}: a {@link RestFlagStore} (OFREP) configured under {@code flagstack.primary.rest.} or
 * {@code flagstack.secondary.rest.}. The base URL, the bearer token, the API key and the extra headers are
 * secrets and are never shown in an error.
 */
public final class RestLayerProvider implements LayerProvider {
  /** The key holding the extra headers, {@code Name=value} pairs separated by commas. */
  static final String HEADERS = "headers";

  @Override
  public String type() {
    return "rest";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.STORE);
  }

  @Override
  public FlagStore createStore(LayerConfig config) {
    RestFlagStore.Builder b = RestFlagStore.builder();
    config.apply("base-url", (c, k) -> Optional.of(c.requireSecret(k)), b::baseUrl)
        .apply("name", LayerConfig::string, b::name)
        .apply("call-timeout", LayerConfig::duration, b::callTimeout)
        .apply("max-response-bytes", LayerConfig::longValue, b::maxResponseBytes)
        .apply("max-concurrent-calls", LayerConfig::intValue, b::maxConcurrentCalls)
        .apply("max-retry-after", LayerConfig::duration, b::maxRetryAfter)
        .apply("bearer-token", LayerConfig::secret, b::bearerToken);
    String[] apiKeyHeader = {RestFlagStore.Builder.DEFAULT_API_KEY_HEADER};
    config.apply("api-key-header", LayerConfig::string, h -> apiKeyHeader[0] = HeaderRules.name("api-key-header", h));
    if (config.has("api-key-header") && !config.has("api-key")) {
      throw config.invalid("api-key-header", "is set without api-key");
    }
    config.apply("api-key", LayerConfig::secret, key -> b.apiKey(apiKeyHeader[0], key));
    Optional<String> headers = config.secret(HEADERS);
    if (headers.isPresent()) {
      addHeaders(config, b, headers.get());
    }
    return b.build();
  }

  /** {@code X-Tenant=acme, X-Region=eu}: each item's name is what precedes its first {@code =}. */
  private static void addHeaders(LayerConfig config, RestFlagStore.Builder b, String value) {
    String[] items = value.split(",", -1);
    for (int i = 0; i < items.length; i++) {
      String item = items[i].trim();
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw config.invalid(HEADERS, "must be Name=value pairs separated by commas; item " + (i + 1)
            + (item.isEmpty() ? " is empty" : eq == 0 ? " has no name" : " has no '='") + " (value not shown)");
      }
      String name = item.substring(0, eq).trim();
      String headerValue = item.substring(eq + 1).trim();
      config.apply(HEADERS, (c, k) -> Optional.of(headerValue), v -> b.header(name, v));
    }
  }
}
