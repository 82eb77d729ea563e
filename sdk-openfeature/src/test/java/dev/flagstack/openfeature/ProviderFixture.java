package dev.flagstack.openfeature;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagEventListener;
import dev.flagstack.RecordingListener;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real FlagClient (memory tier, in-process primary and optional secondary, a clock the test moves)
 * behind a FlagstackProvider registered with the global OpenFeature API, and every provider event the
 * API delivers, in order.
 */
final class ProviderFixture implements AutoCloseable {
  final MutableClock clock = new MutableClock();
  final InMemoryFlagStore primary = new InMemoryFlagStore("api");
  final InMemoryFlagStore secondary = new InMemoryFlagStore("mongo");
  final RecordingListener recorded = new RecordingListener();
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  final FlagstackProvider provider = new FlagstackProvider();
  final FlagClient flags;
  final OpenFeatureAPI api = OpenFeatureAPI.getInstance();
  Client client;

  ProviderFixture(boolean withSecondary) {
    this(null, withSecondary);
  }

  /** With {@code primaryStore} as primary instead of {@link #primary}, when not null. */
  ProviderFixture(FlagStore primaryStore, boolean withSecondary) {
    FlagClient.Builder builder = FlagClient.builder()
        .addCache(MemoryFlagCache.builder().clock(clock).build())
        .primary(primaryStore != null ? primaryStore : primary)
        .clock(clock)
        .eventListener(FlagEventListener.compose(provider.eventListener(), recorded));
    if (withSecondary) {
      builder.secondary(secondary);
    }
    flags = builder.build();
    for (ProviderEvent event : ProviderEvent.values()) {
      api.on(event, details -> events.add(describe(event, details)));
    }
  }

  /** Attaches the client and registers the provider, waiting for its initialization. */
  ProviderFixture start() {
    provider.attach(flags);
    api.setProviderAndWait(provider);
    client = api.getClient();
    return this;
  }

  /** The next event delivered, waiting generously: the SDK delivers on a thread of its own. */
  String nextEvent() throws InterruptedException {
    String event = events.poll(20, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no provider event within 20 s; client events: " + recorded.breakerChanges);
    }
    return event;
  }

  /** Moves the clock past the primary breaker's first open period (15 s). */
  void passOpenPeriod() {
    clock.advance(Duration.ofSeconds(16));
  }

  private static String describe(ProviderEvent event, EventDetails details) {
    return event.name() + (details.getErrorCode() == null ? "" : " " + details.getErrorCode());
  }

  @Override
  public void close() {
    // Resets the global API: providers, handlers and clients of this test are gone for the next one.
    api.shutdown();
    flags.close();
  }
}
