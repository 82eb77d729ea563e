package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.GatedStore;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.internal.KeyCodec;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import dev.flagstack.testing.WatchableStore;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9 across processes: clients sharing one Redis prefix, each told of changes by its own source. A
 * value loaded before a change is refused by every client that heard of it, however late its write lands.
 */
@Timeout(120)
class RedisChangeNotificationTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final FlagValue OLD = FlagValue.of("old");
  private static final FlagValue NEW = FlagValue.of("new");
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private static String freshPrefix() {
    return "chg-" + System.nanoTime();
  }

  private RedisFlagCache tier(String prefix) {
    RedisFlagCache tier = RedisFlagCache.builder().uri(redis.uri()).prefix(prefix)
        .timeBudget(Duration.ofSeconds(2)).clockSkewAllowance(Duration.ofSeconds(1)).build();
    toClose.add(tier);
    awaitConnected(tier);
    return tier;
  }

  private FlagClient client(RedisFlagCache tier, WatchableStore primary, MutableClock clock) {
    FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).addCache(tier)
        .primary(primary).clock(clock).build();
    toClose.add(client);
    return client;
  }

  private static String raw(String prefix, String entity, String flag) {
    Object stored = redis.command("GET", new KeyCodec(prefix).key(entity, flag));
    return stored == null ? null : stored.toString();
  }

  @Test
  void anOldValueThatLandsInRedisAfterAClientHeardOfTheChangeIsNeverServedByThatClient() throws Exception {
    String prefix = freshPrefix();
    MutableClock clock = new MutableClock();
    GatedStore slowApi = new GatedStore("api", Duration.ofSeconds(30));
    WatchableStore sourceA = new WatchableStore(slowApi);
    InMemoryFlagStore apiB = new InMemoryFlagStore("api").put("f", NEW);
    WatchableStore sourceB = new WatchableStore(apiB);
    RedisFlagCache redisA = tier(prefix);
    RedisFlagCache redisB = tier(prefix);
    FlagClient a = client(redisA, sourceA, clock);
    FlagClient b = client(redisB, sourceB, clock);

    // Client A starts loading f, and its primary reads the old value...
    CompletableFuture<FlagValue> slowRead = a.getFlagAsync("e", "f");
    GatedStore.Call load = slowApi.nextCall();
    // ...the flag changes; B hears of it (A's notice is still on its way)...
    clock.advance(Duration.ofMillis(20));
    sourceB.announceChanged("f");
    clock.advance(Duration.ofMillis(20));
    // ...then A's load answers, and its write-back of the old value lands in Redis after B's notice.
    load.answer(Map.of("f", OLD));
    assertThat(slowRead.get(10, TimeUnit.SECONDS)).isEqualTo(OLD);
    await("A's old value is in Redis", Duration.ofSeconds(10), () -> {
      String stored = raw(prefix, "e", "f");
      return stored != null && stored.contains("old");
    });

    // A process that has not heard of the change sees the old value: the refusal is B's knowledge alone.
    RedisFlagCache unaware = tier(prefix);
    assertThat(get(unaware, "e", "f")).containsEntry("f", OLD);
    assertThat(get(redisB, "e", "f")).as("B's tier refuses the old value").isEmpty();

    FlagDetail seenByB = b.getFlagDetail("e", "f", FlagValue.of("default"));
    assertThat(seenByB.value()).as("%s", seenByB).isEqualTo(NEW);
    assertThat(seenByB.source()).isEqualTo(FlagSource.PRIMARY);
    assertThat(apiB.calls()).isEqualTo(1);

    // A value B loads once the skew allowance has passed is accepted again.
    clock.advance(Duration.ofSeconds(2));
    assertThat(b.getFlag("e2", "f")).isEqualTo(NEW);
    await("B's new value is in Redis", Duration.ofSeconds(10), () -> raw(prefix, "e2", "f") != null);
    assertThat(get(redisB, "e2", "f")).containsEntry("f", NEW);
    assertThat(get(redisB, "e", "f")).as("B's own write from within the allowance is refused too").isEmpty();
  }

  @Test
  void everythingChangedRefusesEveryValueLoadedBeforeItAndNothingLoadedLater() {
    RedisFlagCache tier = tier(freshPrefix());
    tier.putAll("e", Map.of("f", OLD, "g", OLD), 1_000L).toCompletableFuture().join();
    assertThat(get(tier, "e", "f", "g")).hasSize(2);
    tier.everythingChanged(5_000L);
    assertThat(get(tier, "e", "f", "g")).isEmpty();
    tier.putAll("e", Map.of("f", NEW), 6_000L).toCompletableFuture().join();
    assertThat(get(tier, "e", "f", "g")).containsExactly(Map.entry("f", NEW));
  }

  @Test
  void valuesRoundTripWithTheirStampsAndTheAllowanceIsTheBoundary() {
    String prefix = freshPrefix();
    RedisFlagCache tier = tier(prefix);
    tier.putAll("e", Map.of("early", OLD, "edge", OLD, "late", NEW), 10_000L).toCompletableFuture().join();
    assertThat(raw(prefix, "e", "early")).isEqualTo("2|S|10000|\"old\"");
    tier.putAll("e", Map.of("edge", OLD), 20_999L).toCompletableFuture().join();
    tier.putAll("e", Map.of("late", NEW), 21_000L).toCompletableFuture().join();
    tier.putAll("e", Map.of("other", NEW), 1L).toCompletableFuture().join();
    assertThat(get(tier, "e", "early", "edge", "late", "other")).hasSize(4);

    tier.flagsChanged(Set.of("early", "edge", "late"), 20_000L);

    assertThat(get(tier, "e", "early", "edge", "late", "other"))
        .as("a stamp before the change plus 1 s is refused; one at it is served; other flags are untouched")
        .containsOnlyKeys("late", "other");
  }

  @Test
  void aLegacyValueWithoutAStampStillReadsAndCountsAsTheOldestStamp() {
    String prefix = freshPrefix();
    RedisFlagCache tier = tier(prefix);
    KeyCodec keys = new KeyCodec(prefix);
    redis.command("SET", keys.key("e", "f"), "1|S|\"legacy\"");
    redis.command("SET", keys.key("e", "g"), "1|L|42");
    assertThat(get(tier, "e", "f", "g")).containsEntry("f", FlagValue.of("legacy")).containsEntry("g", FlagValue.of(42L));

    tier.flagsChanged(Set.of("f"), 1L);
    assertThat(get(tier, "e", "f", "g")).containsOnlyKeys("g");

    tier.putAll("e", Map.of("h", OLD)).toCompletableFuture().join();
    assertThat(raw(prefix, "e", "h")).as("a write without a load time").isEqualTo("2|S|0|\"old\"");
    tier.flagsChanged(Set.of("h"), 1L);
    assertThat(get(tier, "e", "h")).isEmpty();
  }

  @Test
  void garbageStampsAreMisses() {
    String prefix = freshPrefix();
    RedisFlagCache tier = tier(prefix);
    KeyCodec keys = new KeyCodec(prefix);
    String[] garbage = {"2|S||\"x\"", "2|S|12a|\"x\"", "2|S|99999999999999999999|\"x\"", "2|S|5\"x\"", "3|S|5|\"x\"",
        "2|S|" + "1".repeat(30) + "|\"x\""};
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < garbage.length; i++) {
      redis.command("SET", keys.key("e", "g" + i), garbage[i]);
      flags.add("g" + i);
    }
    redis.command("SET", keys.key("e", "ok"), "2|S|-5|\"x\"");
    flags.add("ok");
    assertThat(tier.getAll("e", flags).toCompletableFuture().join()).containsOnlyKeys("ok");
  }

  @Test
  void pastTheCapOfRememberedFlagsEveryValueLoadedBeforeTheLatestChangeIsRefused() {
    RedisFlagCache tier = tier(freshPrefix());
    tier.putAll("e", Map.of("never-named", OLD), 1_000L).toCompletableFuture().join();
    tier.flagsChanged(Set.of("f"), 2_000L);
    assertThat(get(tier, "e", "never-named")).as("a flag no notice named").hasSize(1);

    Set<String> many = new HashSet<>();
    for (int i = 0; i <= 100_000; i++) {
      many.add("flag-" + i);
    }
    tier.flagsChanged(many, 3_000L);
    assertThat(get(tier, "e", "never-named")).as("the floor was raised when the map filled up").isEmpty();
    tier.putAll("e", Map.of("never-named", NEW), 4_000L).toCompletableFuture().join();
    assertThat(get(tier, "e", "never-named")).containsEntry("never-named", NEW);
  }
}
