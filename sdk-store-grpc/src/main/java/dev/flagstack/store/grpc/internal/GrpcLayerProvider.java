package dev.flagstack.store.grpc.internal;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.store.grpc.GrpcFlagStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Type {@code grpc}: a {@link GrpcFlagStore} configured under {@code flagstack.primary.grpc.} or
 * {@code flagstack.secondary.grpc.}. The target (it may carry user-info) and the bearer token are secrets
 * and are never shown in an error.
 */
public final class GrpcLayerProvider implements LayerProvider {
  static final String TARGET = "target";
  static final String KEEP_ALIVE_TIME = "keep-alive-time";
  static final String KEEP_ALIVE_TIMEOUT = "keep-alive-timeout";
  static final String BACKOFF_INITIAL = "watch-reconnect-backoff-initial";
  static final String BACKOFF_MAX = "watch-reconnect-backoff-max";

  @Override
  public String type() {
    return "grpc";
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.STORE);
  }

  @Override
  public FlagStore createStore(LayerConfig config) {
    GrpcFlagStore.Builder b = GrpcFlagStore.builder();
    String target = config.requireSecret(TARGET);
    config.apply(TARGET, (c, k) -> Optional.of(target), b::target)
        .apply("name", LayerConfig::string, b::name)
        .apply("call-timeout", LayerConfig::duration, b::callTimeout)
        .apply("max-inbound-message-size", LayerConfig::intValue, b::maxInboundMessageSize)
        .apply("plaintext", LayerConfig::booleanValue, on -> {
          if (on) {
            b.plaintext();
          }
        })
        .apply("trust-certificates", LayerConfig::string, file -> b.trustCertificates(Path.of(file)))
        .apply(KEEP_ALIVE_TIME, LayerConfig::duration, b::keepAliveTime)
        .apply(KEEP_ALIVE_TIMEOUT, LayerConfig::duration, b::keepAliveTimeout)
        .apply("bearer-token", LayerConfig::secret, b::bearerToken)
        .apply("watch-idle-timeout", LayerConfig::duration, b::watchIdleTimeout);
    if (config.has(KEEP_ALIVE_TIMEOUT) && !config.has(KEEP_ALIVE_TIME)) {
      throw config.invalid(KEEP_ALIVE_TIMEOUT, "is set without " + KEEP_ALIVE_TIME);
    }
    applyBackoff(config, b);
    GrpcFlagStore[] store = {null};
    // build() refuses a target no name resolver accepts: an error about the target, shown as the secret it is.
    config.apply(TARGET, (c, k) -> Optional.of(target), t -> store[0] = b.build());
    return store[0];
  }

  /**
   * The two bounds go to the builder together. One set alone keeps the other's default, moved so that the
   * pair fits (initial at most max); both set are checked together, and an error names the bound at fault.
   */
  private static void applyBackoff(LayerConfig config, GrpcFlagStore.Builder b) {
    Optional<Duration> initial = config.duration(BACKOFF_INITIAL);
    Optional<Duration> max = config.duration(BACKOFF_MAX);
    if (initial.isEmpty() && max.isEmpty()) {
      return;
    }
    Duration i = initial.orElseGet(() -> min(GrpcFlagStore.Builder.DEFAULT_WATCH_INITIAL_BACKOFF, max.get()));
    Duration m = max.orElseGet(() -> max(GrpcFlagStore.Builder.DEFAULT_WATCH_MAX_BACKOFF, initial.get()));
    String blamed = initial.isPresent() && !inRange(i) ? BACKOFF_INITIAL
        : max.isPresent() && !inRange(m) ? BACKOFF_MAX
        : initial.isPresent() ? BACKOFF_INITIAL : BACKOFF_MAX;
    config.apply(blamed, (c, k) -> Optional.of(i), ignored -> b.watchReconnectBackoff(i, m));
  }

  private static boolean inRange(Duration d) {
    return d.compareTo(GrpcFlagStore.Builder.MIN_WATCH_BACKOFF) >= 0
        && d.compareTo(GrpcFlagStore.Builder.MAX_WATCH_BACKOFF) <= 0;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
