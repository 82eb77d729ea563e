package dev.flagstack.internal.config;

import dev.flagstack.FlagConfigurationException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Immutable settings under {@code flagstack.}, indexed by canonical key (lower case, without {@code -} and
 * {@code _}, as Spring Boot's relaxed binding matches them), each remembering how it was written.
 */
public final class FlatSettings {
  /** The prefix of every key. */
  public static final String PREFIX = "flagstack.";
  /** The prefix of every environment variable. */
  public static final String ENV_PREFIX = "FLAGSTACK_";
  /**
   * Environment variables read by the project's test servers, not by the client: ignored so a shell set
   * up for the tests can still build a client from its environment.
   */
  public static final Set<String> IGNORED_ENVIRONMENT_VARIABLES =
      Set.of("FLAGSTACK_REDIS_URI", "FLAGSTACK_MONGODB_URI", "FLAGSTACK_REDIS_SERVER");

  private static final String[] SECRET_WORDS = {
      "password", "passwd", "secret", "token", "credential", "apikey", "auth", "uri", "url", "connectionstring"};

  /** One setting: how it was written (a key or an environment variable) and its raw value. */
  public record Entry(String canonical, String written, String value, boolean fromEnvironment) {
    /** Whether the value is blank, which counts as unset. */
    public boolean blank() {
      return value.isBlank();
    }
  }

  private static final FlatSettings EMPTY = new FlatSettings(Map.of());

  private final Map<String, Entry> entries;

  private FlatSettings(Map<String, Entry> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  public static FlatSettings empty() {
    return EMPTY;
  }

  /** The keys of {@code settings} that start with {@code flagstack.} (any case); other keys are ignored. */
  public static FlatSettings fromMap(Map<?, ?> settings, String what) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : settings.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        continue;
      }
      String key = ((String) e.getKey()).trim();
      if (!key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        continue;
      }
      Object value = e.getValue();
      if (!(value instanceof String)) {
        throw new FlagConfigurationException(key, key + " in " + what + " must be a string, was "
            + (value == null ? "null" : "a " + value.getClass().getSimpleName()));
      }
      add(out, new Entry(canonical(key), key, (String) value, false));
    }
    return new FlatSettings(out);
  }

  /**
   * The variables of {@code environment} named {@code FLAGSTACK_...}: {@code _} becomes {@code .} and
   * the name is lower-cased, so {@code FLAGSTACK_PRIMARY_TYPE} is {@code flagstack.primary.type}; a
   * {@code -} of a key is left out ({@code FLAGSTACK_MAXBATCHSIZE} is {@code flagstack.max-batch-size}).
   */
  public static FlatSettings fromEnvironment(Map<String, String> environment) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey();
      if (name == null || e.getValue() == null || IGNORED_ENVIRONMENT_VARIABLES.contains(name)
          || !name.regionMatches(true, 0, ENV_PREFIX, 0, ENV_PREFIX.length())) {
        continue;
      }
      String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
      add(out, new Entry(canonical(key), name, e.getValue(), true));
    }
    return new FlatSettings(out);
  }

  /** {@code settings} keyed relative to {@code prefix}, for a provider's tests. */
  public static FlatSettings relative(String prefix, Map<String, String> settings) {
    Map<String, Entry> out = new LinkedHashMap<>();
    settings.forEach((k, v) -> add(out, new Entry(canonical(prefix + k), prefix + k, v, false)));
    return new FlatSettings(out);
  }

  private static void add(Map<String, Entry> out, Entry entry) {
    Entry previous = out.putIfAbsent(entry.canonical(), entry);
    if (previous != null) {
      throw new FlagConfigurationException(entry.written(), previous.written() + " and " + entry.written()
          + " are the same setting; set it once");
    }
  }

  /** These settings with {@code overrides} replacing those of the same key. */
  public FlatSettings overriddenBy(FlatSettings overrides) {
    Map<String, Entry> out = new LinkedHashMap<>(entries);
    out.putAll(overrides.entries);
    return new FlatSettings(out);
  }

  /** The setting with this canonical key, blank or not, or null. */
  public Entry get(String canonicalKey) {
    return entries.get(canonicalKey);
  }

  public Collection<Entry> entries() {
    return entries.values();
  }

  /** Lower case without {@code -} and {@code _}: {@code Max-Size}, {@code max_size} and {@code maxsize} match. */
  public static String canonical(String key) {
    StringBuilder b = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c != '-' && c != '_') {
        b.append(Character.toLowerCase(c));
      }
    }
    return b.toString();
  }

  /** Whether the last segment of {@code canonicalKey} names a credential or an address that may hold one. */
  public static boolean isSecretKey(String canonicalKey) {
    String last = canonicalKey.substring(canonicalKey.lastIndexOf('.') + 1);
    for (String word : SECRET_WORDS) {
      if (last.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** How to name a setting in a message: the key asked for, and how it was written if that differs. */
  public static String describe(String key, Entry entry) {
    if (entry == null || entry.written().equalsIgnoreCase(key)) {
      return key;
    }
    return key + " (set as " + entry.written() + ")";
  }

  /**
   * The settings for {@code toString()}. A value is shown only when it cannot be a secret: the layer
   * choices ({@code caches}, {@code type}) and numbers, durations and booleans under a key that names no
   * secret. Every other value is masked, because the key may be a secret one misspelled
   * ({@code pasword}) or one whose name does not say so ({@code headers}, {@code target}).
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (Entry e : entries.values()) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(e.written()).append('=').append(shownInToString(e) ? Values.shown(e.value()) : "*****");
    }
    return b.append('}').toString();
  }

  private static boolean shownInToString(Entry e) {
    String last = e.canonical().substring(e.canonical().lastIndexOf('.') + 1);
    if (last.equals("type") || e.canonical().equals(PREFIX + "caches")) {
      return true;
    }
    return !isSecretKey(e.canonical()) && HARMLESS_VALUE.matcher(e.value().trim()).matches();
  }

  /** A number, a duration such as {@code 250ms} or {@code PT5S}, or a boolean. */
  private static final java.util.regex.Pattern HARMLESS_VALUE = java.util.regex.Pattern.compile(
      "(?i)-?[0-9][0-9_.]*(ns|us|ms|s|m|h|d)?|PT?[0-9][0-9.HMS]*|true|false|");
}
