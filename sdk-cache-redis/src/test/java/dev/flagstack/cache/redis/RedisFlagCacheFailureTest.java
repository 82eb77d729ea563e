package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.get;
import static dev.flagstack.cache.redis.TestSupport.millisToFail;
import static dev.flagstack.cache.redis.TestSupport.put;
import static dev.flagstack.cache.redis.TestSupport.roundTripWorks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.TestSupport.RecordingInvalidator;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.FreePorts;
import dev.flagstack.testservers.RedisLocalServer;
import dev.flagstack.testservers.RedisServerExtension;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Killed, paused, restarted and absent servers: a sick Redis is a fast miss, and the tier heals. */
class RedisFlagCacheFailureTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcess();

  private static final Duration HEAL_DEADLINE = Duration.ofSeconds(10);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void serverIsUp() {
    if (!redis.server().isRunning()) {
      redis.restart();
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    RedisLocalServer server = redis.server();
    if (server.isRunning()) {
      server.resume();
    }
  }

  private RedisFlagCache cache(RedisFlagCache.Builder builder) {
    RedisFlagCache cache = builder.build();
    toClose.add(cache);
    return cache;
  }

  private RedisFlagCache connectedCache() {
    RedisFlagCache cache = cache(RedisFlagCache.builder().uri(redis.uri()).prefix("fail-" + System.nanoTime()));
    awaitConnected(cache);
    return cache;
  }

  @Test
  void deadRedisIsAMissWithinBudget() {
    RedisFlagCache cache = connectedCache();
    put(cache, "e", Map.of("f", FlagValue.TRUE));

    redis.kill();

    for (int i = 0; i < 5; i++) {
      assertThat(millisToFail(cache, "e", "f")).isLessThan(500);
    }
  }

  @Test
  void pausedRedisIsAMissWithinBudgetAndHealsOnResume() {
    RedisFlagCache cache = connectedCache();
    put(cache, "e", Map.of("f", FlagValue.TRUE));

    redis.pause();
    for (int i = 0; i < 5; i++) {
      assertThat(millisToFail(cache, "e", "f")).isLessThan(500);
    }
    redis.resume();

    await("hits return after SIGCONT", HEAL_DEADLINE, () -> get(cache, "e", "f").containsKey("f"));
  }

  @Test
  void restartedRedisHealsAndHitsReturn() {
    RedisFlagCache cache = connectedCache();
    put(cache, "e", Map.of("f", FlagValue.TRUE));

    redis.kill();
    assertThat(millisToFail(cache, "e", "f")).isLessThan(500);
    redis.server().restart();

    await("the tier works again", HEAL_DEADLINE, () -> roundTripWorks(cache, "e", "f"));
    assertThat(get(cache, "e", "f")).containsEntry("f", FlagValue.of("f"));
  }

  /**
   * A supplied client that queues while disconnected and has no command timeout would send a buffered SET
   * whenever it reconnects, however late: the tier cancels its writes after the budget instead.
   */
  @Test
  void aWriteThatMissedItsBudgetIsNeverSentAfterAReconnect() throws Exception {
    ClientResources resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.constant(Duration.ofMillis(50))).build();
    RedisClient queuing = RedisClient.create(resources);
    queuing.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
        .build());
    try {
      String prefix = "late-" + System.nanoTime();
      RedisFlagCache cache = cache(RedisFlagCache.builder().client(queuing).uri(redis.uri()).prefix(prefix));
      awaitConnected(cache);
      redis.kill();
      await("the tier saw the connection drop", HEAL_DEADLINE, () -> !cache.isConnected());

      CompletableFuture<Void> write = cache.putAll("e", Map.of("f", FlagValue.TRUE)).toCompletableFuture();
      assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasMessageContaining("missed its 100 ms budget");

      redis.server().restart();
      // Commands on one connection run in order, and Lettuce sends what it buffered before anything new:
      // once a lookup has round-tripped, a replayed SET would already have landed.
      await("the tier works again", HEAL_DEADLINE, () -> {
        try {
          cache.getAll("e", java.util.Set.of("probe")).toCompletableFuture().get(1, TimeUnit.SECONDS);
          return true;
        } catch (Exception notYet) {
          return false;
        }
      });
      assertThat(redis.command("EXISTS", new KeyCodec(prefix).key("e", "f"))).isEqualTo(0L);
    } finally {
      queuing.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Test
  void redisDownAtBuildDoesNotThrowFailsFastAndHealsOnceItStarts() {
    int port = FreePorts.find();
    RedisFlagCache cache = cache(RedisFlagCache.builder().uri("redis://127.0.0.1:" + port));

    assertThat(cache.isConnected()).isFalse();
    assertThat(millisToFail(cache, "e", "f")).isLessThan(100);
    try (RedisLocalServer late = RedisLocalServer.start(port, null, List.of())) {
      assertThat(late.port()).isEqualTo(port);
      await("the tier connected in the background", HEAL_DEADLINE, () -> roundTripWorks(cache, "e", "f"));
    }
  }

  @Test
  void unreachableHostDoesNotBlockBuildOrLookups() {
    // 10.255.255.1 is not routable here: the SYN goes nowhere, so only the connect timeout ends the attempt.
    long start = System.nanoTime();
    RedisFlagCache cache = cache(RedisFlagCache.builder().uri("redis://10.255.255.1:6379"));
    long buildMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(buildMillis).isLessThan(500);
    assertThat(millisToFail(cache, "e", "f")).isLessThan(100);
  }

  @Test
  void reconnectFlushesTheTiersAbove() {
    String channel = "fail-" + System.nanoTime() + ":invalidations";
    RedisFlagCache cache = cache(RedisFlagCache.builder().uri(redis.uri()).invalidationChannel(channel));
    RecordingInvalidator above = new RecordingInvalidator();
    cache.bind(above);
    awaitConnected(cache);
    await("first subscription", HEAL_DEADLINE, () -> above.flushes() >= 1);
    long before = above.flushes();

    redis.kill();
    redis.server().restart();

    await("resubscribed and flushed", HEAL_DEADLINE, () -> above.flushes() > before);
    redis.command("PUBLISH", channel, "1|F|1:ef");
    await("messages flow again", HEAL_DEADLINE, () -> above.events.contains("e/f"));
  }

  @Test
  void aFlagClientOverADeadRedisStillAnswersFromThePrimaryQuickly() {
    RedisFlagCache cache = connectedCache();
    InMemoryFlagStore store = new InMemoryFlagStore("primary").put("f", FlagValue.of("from-primary"));
    FlagClient client = FlagClient.builder().addCache(cache).primary(store).build();
    toClose.add(client);
    redis.kill();

    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      FlagDetail detail = client.getFlagDetail("e" + i, "f", FlagValue.of("default"));
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(detail.value()).isEqualTo(FlagValue.of("from-primary"));
      assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
      assertThat(millis).isLessThan(500);
    }
  }

  @Test
  void aPausedRedisBehindAFlagClientCostsAtMostTheBudget() {
    RedisFlagCache cache = connectedCache();
    InMemoryFlagStore store = new InMemoryFlagStore("primary").put("f", FlagValue.TRUE);
    FlagClient client = FlagClient.builder().addCache(cache).primary(store).build();
    toClose.add(client);
    redis.pause();

    long start = System.nanoTime();
    FlagDetail detail = client.getFlagDetail("e", "f", FlagValue.FALSE);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(detail.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(millis).isLessThan(500);
  }
}
