package dev.flagstack.internal.config;

import dev.flagstack.FlagConfigurationException;
import dev.flagstack.spi.LayerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/** The {@link LayerConfig} of one layer (or of the client itself, with the prefix {@code flagstack.}). */
public final class LayerSettings implements LayerConfig {
  private final FlatSettings settings;
  private final String type;
  private final String prefix;
  private final String canonicalPrefix;
  private final Set<String> used = new HashSet<>();
  private final Set<String> asked = new LinkedHashSet<>();
  private final Set<String> secrets = new HashSet<>();

  private LayerSettings(FlatSettings settings, String type, String prefix) {
    this.settings = settings;
    this.type = type;
    this.prefix = prefix;
    this.canonicalPrefix = FlatSettings.canonical(prefix);
  }

  /** The view under {@code prefix} (ending with a dot); the type is its last segment. */
  public static LayerSettings of(String prefix, FlatSettings settings) {
    if (prefix == null || !prefix.endsWith(".") || prefix.length() < 2) {
      throw new IllegalArgumentException("prefix must end with a dot, was " + prefix);
    }
    String trimmed = prefix.substring(0, prefix.length() - 1);
    return new LayerSettings(settings, trimmed.substring(trimmed.lastIndexOf('.') + 1), prefix);
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  /** Whether the canonical {@code key} was asked for through this view. */
  boolean used(String canonicalKey) {
    return used.contains(canonicalKey);
  }

  /** The keys asked for, relative and as the provider wrote them, in order: the keys this layer knows. */
  Set<String> askedKeys() {
    return asked;
  }

  @Override
  public boolean has(String key) {
    FlatSettings.Entry e = settings.get(FlatSettings.canonical(prefix + key));
    return e != null && !e.blank();
  }

  @Override
  public Optional<String> string(String key) {
    return read(key, v -> v);
  }

  @Override
  public String requireString(String key) {
    return string(key).orElseThrow(() -> missing(key));
  }

  @Override
  public Optional<String> secret(String key) {
    secrets.add(FlatSettings.canonical(prefix + key));
    return read(key, v -> v);
  }

  @Override
  public String requireSecret(String key) {
    return secret(key).orElseThrow(() -> missing(key));
  }

  @Override
  public Optional<Integer> intValue(String key) {
    return read(key, Values::parseInt);
  }

  @Override
  public Optional<Long> longValue(String key) {
    return read(key, Values::parseLong);
  }

  @Override
  public Optional<Double> doubleValue(String key) {
    return read(key, Values::parseDouble);
  }

  @Override
  public Optional<Boolean> booleanValue(String key) {
    return read(key, Values::parseBoolean);
  }

  @Override
  public Optional<Duration> duration(String key) {
    return read(key, Values::parseDuration);
  }

  @Override
  public Optional<URI> uri(String key) {
    return read(key, Values::parseUri);
  }

  @Override
  public List<String> list(String key) {
    return read(key, Values::parseList).orElse(List.of());
  }

  @Override
  public <T> LayerConfig apply(String key, BiFunction<LayerConfig, String, Optional<T>> getter,
      Consumer<? super T> setter) {
    Optional<T> value = getter.apply(this, key);
    if (value.isPresent()) {
      try {
        setter.accept(value.get());
      } catch (IllegalArgumentException | IllegalStateException e) {
        String full = prefix + key;
        FlatSettings.Entry entry = settings.get(FlatSettings.canonical(full));
        String name = FlatSettings.describe(full, entry);
        if (isSecret(full)) {
          String why = Redaction.redact(e.getMessage(), entry == null ? null : entry.value());
          throw new FlagConfigurationException(name, name + " is invalid: " + why + " (value not shown)");
        }
        throw new FlagConfigurationException(name, name + " is invalid: " + e.getMessage(), e);
      }
    }
    return this;
  }

  @Override
  public FlagConfigurationException invalid(String key, String reason) {
    if (key == null) {
      String layer = prefix.substring(0, prefix.length() - 1);
      return new FlagConfigurationException(layer, layer + ": " + reason);
    }
    String full = prefix + key;
    String name = FlatSettings.describe(full, settings.get(FlatSettings.canonical(full)));
    return new FlagConfigurationException(name, name + " " + reason);
  }

  @Override
  public Set<String> unusedKeys() {
    Set<String> unused = new TreeSet<>();
    for (FlatSettings.Entry e : settings.entries()) {
      if (!e.blank() && e.canonical().startsWith(canonicalPrefix) && !used.contains(e.canonical())) {
        unused.add(e.written());
      }
    }
    return unused;
  }

  /** Whether the value of the full {@code key} must never be shown. */
  boolean isSecret(String fullKey) {
    String canonical = FlatSettings.canonical(fullKey);
    return secrets.contains(canonical) || FlatSettings.isSecretKey(canonical);
  }

  /** Every non-blank value under this prefix whose key is secret, to scrub from a provider's messages. */
  List<String> secretValues() {
    return settings.entries().stream()
        .filter(e -> !e.blank() && e.canonical().startsWith(canonicalPrefix)
            && (secrets.contains(e.canonical()) || FlatSettings.isSecretKey(e.canonical())))
        .map(FlatSettings.Entry::value)
        .toList();
  }

  private <T> Optional<T> read(String key, Function<String, T> parser) {
    String full = prefix + key;
    String canonical = FlatSettings.canonical(full);
    used.add(canonical);
    asked.add(key);
    FlatSettings.Entry entry = settings.get(canonical);
    if (entry == null || entry.blank()) {
      return Optional.empty();
    }
    String value = entry.value().trim();
    try {
      return Optional.of(parser.apply(value));
    } catch (IllegalArgumentException e) {
      String name = FlatSettings.describe(full, entry);
      String shown = isSecret(full) ? " (value not shown)" : ", was " + Values.shown(value);
      throw new FlagConfigurationException(name, name + " " + e.getMessage() + shown);
    }
  }

  private FlagConfigurationException missing(String key) {
    String full = prefix + key;
    return new FlagConfigurationException(full, full + " is required");
  }
}
