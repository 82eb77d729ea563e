package dev.flagstack.spi;

import dev.flagstack.FlagConfigurationException;
import dev.flagstack.internal.config.FlatSettings;
import dev.flagstack.internal.config.LayerSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The settings of one layer, as a {@link LayerProvider} sees them: typed getters by key relative to the
 * layer's {@link #prefix()} (so {@code duration("ttl")} reads {@code flagstack.cache.redis.ttl}).
 *
 * <h2>Keys and values</h2>
 * Keys are matched loosely, as Spring Boot does: case is ignored, and {@code -} and {@code _} are not
 * significant, so {@code max-size}, {@code maxSize} and {@code MAX_SIZE} are one key; write them in
 * lower-case kebab form. A blank value counts as unset. Durations are {@code 500ms}, {@code 2s},
 * {@code 1m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT2S}); a bare number is refused because its unit
 * would be a guess. Booleans are {@code true} or {@code false}. Lists are comma-separated.
 *
 * <h2>Errors and secrets</h2>
 * A getter that cannot parse a value throws {@link FlagConfigurationException} naming the full key and
 * the bad value, except for a secret: a key read through {@link #secret}, or whose last segment names a
 * credential or an address that may carry one ({@code password}, {@code token}, {@code secret},
 * {@code credentials}, {@code api-key}, {@code auth}, {@code uri}, {@code uris}, {@code url},
 * {@code connection-string}), whose value is never shown.
 *
 * <p>Every getter marks its key as used; keys present under the prefix that no getter asked for are the
 * {@link #unusedKeys()}, which the client reports as unknown. Not thread-safe: one provider call uses it.
 */
public interface LayerConfig {
  /** A view of {@code settings} (relative keys) under {@code prefix} such as {@code "flagstack.cache.my."}, for tests of a provider. */
  static LayerConfig of(String prefix, Map<String, String> settings) {
    return LayerSettings.of(prefix, FlatSettings.relative(prefix, settings));
  }

  /** The layer's type, such as {@code "redis"}. */
  String type();

  /** The prefix of this layer's keys, ending with a dot, such as {@code "flagstack.cache.redis."}. */
  String prefix();

  /** Whether {@code key} is set to a non-blank value. Does not mark it as used. */
  boolean has(String key);

  /** The value of {@code key}, trimmed. */
  Optional<String> string(String key);

  /** The value of {@code key}, trimmed; fails naming the key if it is unset. */
  String requireString(String key);

  /** The value of {@code key}, a password, token or URI with credentials: never shown in any message. */
  Optional<String> secret(String key);

  /** {@link #secret} that fails naming the key if it is unset. */
  String requireSecret(String key);

  /** A whole number that fits an {@code int}. */
  Optional<Integer> intValue(String key);

  /** A whole number that fits a {@code long}. */
  Optional<Long> longValue(String key);

  /** A finite decimal number. */
  Optional<Double> doubleValue(String key);

  /** {@code true} or {@code false}, in any case. */
  Optional<Boolean> booleanValue(String key);

  /** A non-negative duration: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, {@code 1d} or ISO-8601. */
  Optional<Duration> duration(String key);

  /** An absolute URI. */
  Optional<URI> uri(String key);

  /** A comma-separated list of non-blank items, trimmed; empty if unset. */
  List<String> list(String key);

  /**
   * Reads {@code key} with {@code getter} (such as {@code LayerConfig::duration}) and, if it is set, passes
   * the value to {@code setter} (such as {@code builder::ttl}). An {@link IllegalArgumentException} or
   * {@link IllegalStateException} from the setter becomes a {@link FlagConfigurationException} naming the
   * key and, unless it is a secret, the value.
   */
  <T> LayerConfig apply(String key, BiFunction<LayerConfig, String, Optional<T>> getter, Consumer<? super T> setter);

  /** An error about {@code key} (null for the layer as a whole), for a provider's own checks; never shows a value. */
  FlagConfigurationException invalid(String key, String reason);

  /** The full keys set under {@link #prefix()} that no getter has asked for. */
  Set<String> unusedKeys();
}
