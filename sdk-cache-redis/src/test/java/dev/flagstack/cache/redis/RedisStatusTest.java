package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.BreakerState;
import dev.flagstack.ClientStatus;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.LayerStatus;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code FlagClient.status()} reports a real Redis tier's connection as Redis dies and comes back. */
class RedisStatusTest {
  private static final String PASSWORD = "St4tus-S3cret-Pa55";
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcessWithPassword(PASSWORD);

  private final AtomicInteger entity = new AtomicInteger();
  private RedisFlagCache tier;
  private FlagClient client;

  @AfterEach
  void closeAndRestart() {
    if (client != null) {
      client.close();
    }
    if (tier != null) {
      tier.close();
    }
    if (!redis.server().isRunning()) {
      redis.restart();
    }
  }

  private LayerStatus redisStatus() {
    return client.status().caches().get(1);
  }

  @Test
  void connectedTurnsFalseWhenRedisIsKilledAndTrueWhenItIsBack() {
    String uri = "redis://:" + PASSWORD + "@" + redis.host() + ":" + redis.port();
    tier = RedisFlagCache.builder().uri(uri).prefix("status-" + System.nanoTime())
        .maxReconnectDelay(Duration.ofMillis(200)).build();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).addCache(tier).primary(primary).build();
    List<String> heard = new CopyOnWriteArrayList<>();
    client.addStatusListener((before, after, status) -> heard.add(after.name() + " connected=" + after.connected()));

    await("the status shows Redis connected", DEADLINE, () -> redisStatus().connected());
    LayerStatus up = redisStatus();
    assertThat(up.role()).isEqualTo(FlagSource.CACHE);
    assertThat(up.name()).isEqualTo("redis");
    assertThat(up.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(up.available()).isTrue();

    redis.kill();
    await("the status shows Redis disconnected", DEADLINE, () -> !redisStatus().connected());
    assertThat(redisStatus().available()).isFalse();
    assertThat(heard).contains("redis connected=false");
    // Reads go on below the dead tier; each records the tier's failure.
    for (int i = 0; i < 3; i++) {
      assertThat(client.getFlagDetail("e" + entity.incrementAndGet(), "f", FlagValue.FALSE).source())
          .isEqualTo(FlagSource.PRIMARY);
    }
    ClientStatus down = client.status();
    assertThat(down.caches().get(1).lastFailure()).isNotNull();
    assertThat(down.degraded()).isTrue();
    assertThat(down.canLoad()).isTrue();
    assertThat(down.toString()).contains("cache 'redis': unavailable").doesNotContain(PASSWORD);

    redis.server().restart();
    await("the status shows Redis connected again", DEADLINE, () -> redisStatus().connected());
    assertThat(heard).containsSubsequence("redis connected=false", "redis connected=true");
    assertThat(client.status().toString()).doesNotContain(PASSWORD);
  }

  @Test
  void aTierThatCannotConnectAtStartIsDisconnectedFromTheFirstStatus() {
    tier = RedisFlagCache.builder().uri("redis://:" + PASSWORD + "@127.0.0.1:" + dev.flagstack.testservers.FreePorts.find())
        .build();
    client = FlagClient.builder().addCache(tier).primary(new InMemoryFlagStore("api")).build();

    LayerStatus status = client.status().caches().get(0);
    assertThat(status.connected()).isFalse();
    assertThat(status.available()).isFalse();
    assertThat(client.status().toString()).doesNotContain(PASSWORD);
  }
}
