package dev.flagstack.spring.boot.internal;

import dev.flagstack.FlagClientConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Collects the {@code flagstack.*} settings of a Spring {@code Environment} into one
 * {@link FlagClientConfig}, source by source, so a source of higher precedence overrides one of lower, as
 * in Spring. Environment variables are mapped by {@link FlagClientConfig#fromEnvironment(Map)}; an indexed
 * list ({@code flagstack.caches[0]}, {@code [1]}, as YAML lists become) is joined with commas.
 */
public final class EnvironmentSettings {
  /** Read by the starter only, never passed to the client: {@value}. */
  public static final String ENABLED = "flagstack.enabled";

  private static final Pattern INDEXED = Pattern.compile("(.*)\\[(\\d+)]");
  /** Spring's view of every other source, which would repeat their properties. */
  private static final String ATTACHED = "configurationProperties";

  private EnvironmentSettings() {}

  public static FlagClientConfig collect(ConfigurableEnvironment environment) {
    List<PropertySource<?>> sources = new ArrayList<>();
    environment.getPropertySources().forEach(sources::add);
    FlagClientConfig config = FlagClientConfig.fromMap(Map.of());
    for (int i = sources.size() - 1; i >= 0; i--) {
      PropertySource<?> source = sources.get(i);
      if (!(source instanceof EnumerablePropertySource) || ATTACHED.equals(source.getName())) {
        continue;
      }
      EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
      config = config.withOverrides(source instanceof SystemEnvironmentPropertySource
          ? FlagClientConfig.fromEnvironment(variables(enumerable))
          : FlagClientConfig.fromMap(properties(enumerable, environment)));
    }
    return config;
  }

  private static Map<String, String> variables(EnumerablePropertySource<?> source) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : source.getPropertyNames()) {
      String upper = name.toUpperCase(Locale.ROOT);
      Object value = source.getProperty(name);
      if (upper.startsWith(FlagClientConfig.ENVIRONMENT_PREFIX) && !upper.equals("FLAGSTACK_ENABLED") && value != null) {
        out.put(name, value.toString());
      }
    }
    return out;
  }

  private static Map<String, String> properties(EnumerablePropertySource<?> source, ConfigurableEnvironment env) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, String>> lists = new LinkedHashMap<>();
    for (String name : source.getPropertyNames()) {
      if (!name.regionMatches(true, 0, FlagClientConfig.PREFIX, 0, FlagClientConfig.PREFIX.length())
          || name.equalsIgnoreCase(ENABLED)) {
        continue;
      }
      Object raw = source.getProperty(name);
      if (raw == null) {
        continue;
      }
      String value = env.resolvePlaceholders(raw.toString());
      Matcher m = INDEXED.matcher(name);
      if (m.matches()) {
        lists.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), value);
      } else {
        out.put(name, value);
      }
    }
    lists.forEach((name, items) -> out.put(name, String.join(",", items.values())));
    return out;
  }
}
