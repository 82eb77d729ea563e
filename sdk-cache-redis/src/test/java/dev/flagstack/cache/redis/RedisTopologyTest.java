package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.get;
import static dev.flagstack.cache.redis.TestSupport.put;
import static dev.flagstack.cache.redis.TestSupport.roundTripWorks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagValue;
import dev.flagstack.cache.redis.TestSupport.RecordingInvalidator;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.testservers.RedisLocalCluster;
import dev.flagstack.testservers.RedisLocalServer;
import dev.flagstack.testservers.RedisWire;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tier on a local 3-master Redis Cluster and behind a Sentinel. */
class RedisTopologyTest {
  private static RedisLocalCluster cluster;
  private static String clusterFailure;

  @BeforeAll
  static void startCluster() {
    try {
      cluster = RedisLocalCluster.start(3);
      System.out.println("[flagstack-test-servers] Redis Cluster: LOCAL_PROCESS " + cluster.uris());
    } catch (RuntimeException e) {
      clusterFailure = e.toString();
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RedisLocalCluster cluster() {
    Assumptions.assumeTrue(cluster != null, () -> "no local Redis Cluster: " + clusterFailure);
    return cluster;
  }

  private static RedisFlagCache clusterCache(String prefix, String channel) {
    // A roomy budget: these tests check what reaches which node, and a loaded machine can pass 100 ms.
    RedisFlagCache.Builder b = RedisFlagCache.builder().cluster(true).prefix(prefix).timeBudget(Duration.ofSeconds(2))
        .uris(cluster().uris().toArray(new String[0]));
    if (channel != null) {
      b.invalidationChannel(channel);
    }
    RedisFlagCache cache = b.build();
    awaitConnected(cache);
    return cache;
  }

  private static long sumOverNodes(String command, String statName) {
    long total = 0;
    for (RedisLocalServer node : cluster().nodes()) {
      String info = (String) RedisWire.call(node.host(), node.port(), null, "INFO", "commandstats");
      String marker = "cmdstat_" + statName + ":calls=";
      int at = info.indexOf(marker);
      if (at >= 0) {
        int end = at + marker.length();
        while (Character.isDigit(info.charAt(end))) {
          end++;
        }
        total += Long.parseLong(info.substring(at + marker.length(), end));
      }
    }
    return total;
  }

  @Test
  void aClusterBatchIsOneMgetOnOneNodeBecauseAnEntityIsOneHashSlot() {
    try (RedisFlagCache cache = clusterCache("cl-" + System.nanoTime(), null)) {
      Map<String, FlagValue> values = new LinkedHashMap<>();
      for (int i = 0; i < 500; i++) {
        values.put("flag-" + i, FlagValue.of("v" + i));
      }
      cluster().nodes().forEach(n -> RedisWire.call(n.host(), n.port(), null, "CONFIG", "RESETSTAT"));

      put(cache, "tenant-42", values);
      Map<String, FlagValue> got = get(cache, "tenant-42", values.keySet().toArray(new String[0]));

      assertThat(got).isEqualTo(values);
      assertThat(sumOverNodes("INFO", "mget")).isEqualTo(1);
      assertThat(sumOverNodes("INFO", "set")).isEqualTo(500);
    }
  }

  @Test
  void invalidateAllDeletesThisPrefixOnEveryNode() {
    String prefix = "cl-" + System.nanoTime();
    try (RedisFlagCache cache = clusterCache(prefix, null)) {
      for (int i = 0; i < 60; i++) {
        put(cache, "entity-" + i, Map.of("f", FlagValue.of(i)));
      }
      Set<Long> slots = new HashSet<>();
      KeyCodec keys = new KeyCodec(prefix);
      RedisLocalServer any = cluster().nodes().get(0);
      for (int i = 0; i < 60; i++) {
        slots.add((Long) RedisWire.call(any.host(), any.port(), null, "CLUSTER", "KEYSLOT", keys.key("entity-" + i, "f")));
      }
      assertThat(slots).as("entities spread over slots").hasSizeGreaterThan(10);

      cache.invalidateAll();

      await("every entity is gone", Duration.ofSeconds(10), () -> {
        for (int i = 0; i < 60; i++) {
          try {
            if (!get(cache, "entity-" + i, "f").isEmpty()) {
              return false;
            }
          } catch (java.util.concurrent.CompletionException slowNode) {
            return false; // a lookup over budget is a miss for the client; here it only means "ask again"
          }
        }
        return true;
      });
    }
  }

  @Test
  void pubSubInvalidationWorksAcrossClusterNodes() {
    String prefix = "cl-" + System.nanoTime();
    String channel = prefix + ":inv";
    try (RedisFlagCache a = clusterCache(prefix, channel); RedisFlagCache b = clusterCache(prefix, channel)) {
      RecordingInvalidator aboveB = new RecordingInvalidator();
      b.bind(aboveB);
      await("b subscribed", Duration.ofSeconds(10), () -> aboveB.flushes() >= 1 || subscribed(channel));
      put(a, "e", Map.of("f", FlagValue.TRUE));

      a.publishInvalidation("e", "f").toCompletableFuture().join();

      await("b evicted e/f", Duration.ofSeconds(10), () -> aboveB.events.contains("e/f"));
      assertThat(get(b, "e", "f")).isEmpty();
    }
  }

  @Test
  void aSuppliedClusterClientIsNotShutDownOnClose() {
    List<RedisURI> seeds = cluster().uris().stream().map(RedisURI::create).collect(Collectors.toList());
    RedisClusterClient client = RedisClusterClient.create(seeds);
    try {
      RedisFlagCache cache = RedisFlagCache.builder().client(client).prefix("cl-" + System.nanoTime()).build();
      awaitConnected(cache);
      assertThat(roundTripWorks(cache, "e", "f")).isTrue();
      cache.close();

      try (var connection = client.connect()) {
        assertThat(connection.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aSentinelUriFindsTheMaster() {
    try (RedisLocalServer master = RedisLocalServer.start();
        RedisLocalServer sentinel = RedisLocalServer.startSentinel("flagmaster", master.port())) {
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#flagmaster";
      try (RedisFlagCache cache = RedisFlagCache.builder().uri(uri).build()) {
        awaitConnected(cache);
        put(cache, "e", Map.of("f", FlagValue.of("via sentinel")));

        assertThat(get(cache, "e", "f")).containsEntry("f", FlagValue.of("via sentinel"));
        assertThat(RedisWire.call(master.host(), master.port(), null, "DBSIZE")).isEqualTo(1L);
        assertThat(cache.toString()).contains("redis-sentinel://127.0.0.1:" + sentinel.port() + "#flagmaster");
      }
    }
  }

  private static boolean subscribed(String channel) {
    long total = 0;
    for (RedisLocalServer node : cluster().nodes()) {
      @SuppressWarnings("unchecked")
      List<Object> reply = (List<Object>) RedisWire.call(node.host(), node.port(), null, "PUBSUB", "NUMSUB", channel);
      total += (Long) reply.get(1);
    }
    return total >= 2;
  }
}
