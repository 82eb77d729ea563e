package dev.flagstack.spring.boot;

import dev.flagstack.ClientStatus;
import dev.flagstack.FlagClient;
import dev.flagstack.LayerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Actuator health from {@link FlagClient#status()}, for the {@code flagstack} health component.
 *
 * <ul>
 *   <li><b>UP</b> while the client {@link ClientStatus#canLoad() can load} flags: the primary or the
 *       secondary store is available. A degraded client (the primary's breaker open but the secondary
 *       answering, a cache tier down) stays UP, with {@code degraded: true}: it still answers, and taking
 *       it out of rotation would not help, since every instance shares the same backends.
 *   <li><b>DOWN</b> when neither store is available: reads get only what the caches and last-known-good
 *       values hold, or the caller's default.
 * </ul>
 * Details: {@code degraded}, then {@code caches} (a list), {@code primary} and {@code secondary}, each layer
 * with {@code name}, {@code available}, {@code breaker} (if it has one), {@code connected}, {@code failing},
 * and {@code lastFailure} with {@code lastFailureAt} (if any). Never a secret: failures are described as the
 * client logs them. Taking a status is cheap and calls no backend.
 */
public final class FlagstackHealthIndicator implements HealthIndicator {
  private final FlagClient client;

  public FlagstackHealthIndicator(FlagClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public Health health() {
    ClientStatus status = client.status();
    Health.Builder health = status.canLoad() ? Health.up() : Health.down();
    health.withDetail("degraded", status.degraded());
    List<Map<String, Object>> caches = new ArrayList<>();
    for (LayerStatus cache : status.caches()) {
      caches.add(details(cache));
    }
    health.withDetail("caches", caches).withDetail("primary", details(status.primary()));
    if (status.secondary() != null) {
      health.withDetail("secondary", details(status.secondary()));
    }
    return health.build();
  }

  private static Map<String, Object> details(LayerStatus layer) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", layer.name());
    d.put("available", layer.available());
    if (layer.breakerState() != null) {
      d.put("breaker", layer.breakerState().name());
    }
    d.put("connected", layer.connected());
    d.put("failing", layer.failing());
    if (layer.lastFailure() != null) {
      d.put("lastFailure", layer.lastFailure());
      d.put("lastFailureAt", layer.lastFailureAt().toString());
    }
    return d;
  }
}
