package dev.flagstack.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import dev.flagstack.BreakerSettings;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import dev.flagstack.cache.memory.MemoryFlagCache;
import dev.flagstack.cache.redis.RedisFlagCache;
import dev.flagstack.examples.drill.BreakerTrail;
import dev.flagstack.examples.drill.FlagChanger;
import dev.flagstack.examples.drill.Faults;
import dev.flagstack.examples.drill.Faults.Fault;
import dev.flagstack.examples.drill.ReadLoad;
import dev.flagstack.examples.drill.ReadStats;
import dev.flagstack.examples.drill.ReadStats.Answer;
import dev.flagstack.examples.drill.ValueOracle;
import dev.flagstack.examples.reference.ReferenceFlagService;
import dev.flagstack.internal.ResolutionEngine;
import dev.flagstack.store.grpc.GrpcFlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chaos test: K = 8 threads read flags through two clients that share a real Redis, while Redis is
 * paused (SIGSTOP) and killed, the primary (the reference flags service over gRPC) is slowed past its
 * timeout and stopped, and MongoDB (secondary, and the service's source) is stopped, in turn and in
 * combination, and flag definitions change underneath. Every read is judged by a {@link ValueOracle}.
 *
 * <p>What it asserts:
 * <ul>
 *   <li>no read returns a value that was not true at some moment during it, allowing a client to lag a
 *       change by {@link #NOTICE_BOUND} (the oracle's javadoc defines this exactly). Flags change only while
 *       the primary's change stream is up (never within {@link #STREAM_SETTLE} of a primary restart, the
 *       stream's reconnect backoff), since notices are what bounds the lag; they change while Redis is down
 *       or paused and while the primary is slow;
 *   <li>callers see errors only when the primary and the secondary are both in trouble and the client has
 *       no last-known-good value ({@link ChaosLedger} defines both), and typed reads never throw;
 *   <li>after every layer is back, reads return to the caches and the primary within the longest open
 *       period a breaker was given plus one probe call (plus slack for a loaded machine);
 *   <li>MongoDB never runs more concurrent {@code find}s for one client than its
 *       {@code secondaryMaxConcurrency} (counted by a driver {@link CommandListener}; the store itself has
 *       more threads than that, so the bound is the client's);
 *   <li>no load stays registered in flight, and no thread is left once clients, tiers and stores are closed.
 * </ul>
 * The in-JVM MongoDB cannot be paused, only stopped; the primary is "paused" by a reply delay. Breakers
 * open for 1 s growing to 4 s (the seed's 15 s to 60 s, scaled down so the test stays under 90 s); call
 * timeouts and the Redis budget are the defaults.
 */
class WholeStackChaosTest {
  /** How long the readers go on after recovery, on the healed stack. */
  private static final Duration STEADY_AFTER_RECOVERY = Duration.ofSeconds(2);

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcess();

  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
  static final Duration SLOW_DELAY = Duration.ofMillis(1500);
  static final Duration PHASE = Duration.ofSeconds(3);
  /** The notice latency a read may lag a change by: 1 s documented, doubled for a loaded machine. */
  static final Duration NOTICE_BOUND = Duration.ofSeconds(2);
  /** No change within this long after the primary restarts: its change stream reconnects after at most 5 s. */
  static final Duration STREAM_SETTLE = Duration.ofSeconds(6);
  static final BreakerSettings BREAKER = BreakerSettings.builder().openDuration(Duration.ofSeconds(1))
      .maxOpenDuration(Duration.ofSeconds(4)).build();
  static final int SECONDARY_BOUND = 3;
  static final Duration SLACK = Duration.ofSeconds(6);
  static final int CLIENTS = 2;

  private final List<FlagClient> clients = new ArrayList<>();
  private final List<BreakerTrail> trails = new ArrayList<>();
  private final List<RedisFlagCache> redisTiers = new ArrayList<>();
  private final List<AutoCloseable> layers = new ArrayList<>();
  private final List<FindCounter> finds = new ArrayList<>();

  @Test
  void readsStayRightWhileRedisThePrimaryAndMongoAreKilledPausedAndRestartedUnderChangingFlags() throws Exception {
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      flags.add("flag-" + i);
    }
    List<String> hot = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      hot.add("tenant-" + i);
    }
    ValueOracle oracle = new ValueOracle(NOTICE_BOUND);
    ChaosLedger ledger = new ChaosLedger(CLIENTS,
        BREAKER.maxOpenDuration().plus(CALL_TIMEOUT).plus(SLACK), SLACK);
    try (MongoClient admin = MongoClients.create(mongo.connectionString());
        ReferenceFlagService service = ReferenceFlagService.builder().mongoUri(mongo.connectionString())
            .refreshInterval(Duration.ofHours(1)).build().start()) {
      FlagChanger changer = new FlagChanger(admin.getDatabase("flagstack").getCollection("flags"), service, oracle,
          "tenant-0");
      changer.seed(flags);
      Faults faults = new Faults(redis, mongo, service, SLOW_DELAY);
      ThreadCensus census = ThreadCensus.take();
      String prefix = "chaos-" + UUID.randomUUID();
      for (int c = 0; c < CLIENTS; c++) {
        buildClient(c, service, prefix, ledger);
      }
      ReadLoad load = new ReadLoad(clients, flags, hot, oracle, new ReadLoad.Settings()
          .hotThreadsPerClient(3).coldThreadsPerClient(1)
          .hotPause(Duration.ofMillis(1)).coldInterval(Duration.ofMillis(15))
          .typedEvery(7).throwingEvery(11).observer(ledger));
      ReadStats total = new ReadStats();
      long recoveryNanos;
      int changes;
      try {
        changes = walk(faults, changer, flags, load, total);
        recoveryNanos = awaitRecovery(faults, ledger, load, total);
        // The load keeps reading on the healed stack for a while: these reads must be right too, and the
        // test is about real servers in real time, so this is a span of load, not a wait for a timer.
        Thread.sleep(STEADY_AFTER_RECOVERY.toMillis());
      } finally {
        faults.healAll();
        load.close();
      }
      ReadStats after = load.drain();
      total.add(after);

      List<Integer> inFlight = new ArrayList<>();
      for (FlagClient client : clients) {
        eventually("no load stays in flight", () -> engine(client).inFlightLoads() == 0);
        inFlight.add(engine(client).inFlightLoads());
      }
      closeAll();
      Set<String> leftover = census.awaitNoNewThreads(Duration.ofSeconds(20));
      List<String> unallowed = ledger.unallowedErrors(faults.history());

      System.out.printf("[chaos] %d reads in %d fault spans and %d flag changes: memory %d, redis %d, primary %d,"
              + " secondary %d, stale %d, typed/throwing %d, errors %d (%d not allowed), wrong %d, typed reads"
              + " that threw %d; recovered in %d ms; max concurrent MongoDB finds %s (bound %d); notices handled"
              + " %d/%d; in flight at the end %s; threads %d at the start, new ones left: %s%n",
          total.reads(), faults.history().size(), changes, total.answers(Answer.MEMORY),
          total.answers(Answer.REMOTE_CACHE), total.answers(Answer.PRIMARY), total.answers(Answer.SECONDARY),
          total.answers(Answer.STALE), total.answers(Answer.NOT_REPORTED), total.errors(), unallowed.size(),
          total.wrong(), total.typedReadsThatThrew(), recoveryNanos / 1_000_000,
          finds.stream().map(f -> String.valueOf(f.max.get())).toList(), SECONDARY_BOUND,
          ledger.noticesHandled(0), ledger.noticesHandled(1), inFlight, census.baselineCount(), leftover);

      assertThat(total.wrongSamples()).as("wrong values (and typed reads that threw)").isEmpty();
      assertThat(total.wrong()).isZero();
      assertThat(total.typedReadsThatThrew()).isZero();
      assertThat(unallowed).as("errors outside a double outage, or despite a last-known-good value").isEmpty();
      for (FindCounter f : finds) {
        assertThat(f.max.get()).as("concurrent finds at MongoDB").isBetween(1, SECONDARY_BOUND);
      }
      assertThat(after.errors()).as("errors once everything is back").isZero();
      assertThat(leftover).as("threads left by clients, tiers and stores").isEmpty();
      for (String singleton : ThreadCensus.SINGLETONS) {
        assertThat(ThreadCensus.alive(singleton)).as("JVM-wide %s threads", singleton).isLessThanOrEqualTo(1);
      }
      // The faults really bit: every fallback was used.
      assertThat(total.answers(Answer.SECONDARY)).as("reads answered by MongoDB").isPositive();
      assertThat(total.answers(Answer.STALE)).as("reads answered by last-known-good").isPositive();
      assertThat(total.errors()).as("errors in the double outage, for entities never read").isPositive();
      assertThat(ledger.noticesHandled(0)).as("change notices handled by client A").isPositive();
    }
  }

  /** Walks the fault schedule; returns how many flags it changed. */
  private int walk(Faults faults, FlagChanger changer, List<String> flags, ReadLoad load, ReadStats total)
      throws Exception {
    AtomicInteger changed = new AtomicInteger();
    int[] next = {0};
    Runnable change = () -> {
      changer.change(flags.get(next[0]++ % flags.size()));
      changed.incrementAndGet();
    };
    long lastPrimaryStart = 0;
    // {faults in force during the phase}, whether a flag changes in its middle
    Object[][] phases = {
        {Set.<Fault>of(), true},
        {Set.of(Fault.REDIS_KILLED), true},
        {Set.of(Fault.REDIS_PAUSED), true},
        {Set.of(Fault.PRIMARY_SLOW), true},
        {Set.of(Fault.PRIMARY_STOPPED), false},
        {Set.of(Fault.PRIMARY_STOPPED, Fault.MONGO_STOPPED), false},
        {Set.of(Fault.MONGO_STOPPED), false},
        {Set.of(Fault.REDIS_PAUSED, Fault.MONGO_STOPPED), false},
        {Set.of(Fault.REDIS_KILLED, Fault.PRIMARY_SLOW), true},
        {Set.of(Fault.REDIS_PAUSED, Fault.PRIMARY_STOPPED, Fault.MONGO_STOPPED), false},
    };
    for (Object[] phase : phases) {
      @SuppressWarnings("unchecked")
      Set<Fault> wanted = (Set<Fault>) phase[0];
      for (Fault f : Fault.values()) {
        if (!wanted.contains(f) && faults.isActive(f)) {
          faults.heal(f);
          if (f == Fault.PRIMARY_STOPPED) {
            lastPrimaryStart = System.nanoTime();
          }
        }
      }
      for (Fault f : wanted) {
        faults.inject(f);
      }
      long began = System.nanoTime();
      Thread.sleep(PHASE.toMillis() / 2);
      if ((Boolean) phase[1]) {
        assertThat(System.nanoTime() - lastPrimaryStart).as("the change stream has had time to reconnect")
            .isGreaterThan(STREAM_SETTLE.toNanos());
        change.run();
      }
      sleepUntil(began + PHASE.toNanos());
      total.add(load.drain());
    }
    return changed.get();
  }

  /**
   * Heals everything and waits until, for both clients, the breakers are closed and a read that began after
   * the heal was answered by memory, by Redis and by the primary; asserts that it took at most the longest
   * open period a breaker was given plus one probe call, plus slack. Returns the time it took.
   */
  private long awaitRecovery(Faults faults, ChaosLedger ledger, ReadLoad load, ReadStats total) throws Exception {
    faults.healAll();
    long healed = System.nanoTime();
    Duration longestOpen = trails.stream().map(BreakerTrail::longestOpenPeriod).max(Duration::compareTo)
        .orElse(Duration.ZERO);
    Duration bound = longestOpen.plus(CALL_TIMEOUT).plus(SLACK);
    BooleanSupplier recovered = () -> {
      for (int c = 0; c < CLIENTS; c++) {
        FlagClient client = clients.get(c);
        if (client.primaryBreakerState() != BreakerState.CLOSED
            || client.cacheBreakerState("redis") != BreakerState.CLOSED) {
          return false;
        }
        for (Answer a : List.of(Answer.MEMORY, Answer.REMOTE_CACHE, Answer.PRIMARY)) {
          if (ledger.lastStartOf(c, a) < healed) {
            return false;
          }
        }
      }
      return true;
    };
    long deadline = healed + bound.toNanos();
    while (!recovered.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long took = System.nanoTime() - healed;
    total.add(load.drain());
    assertThat(recovered.getAsBoolean()).as("reads back on the caches and the primary within %s"
        + " (longest open period %s + one %s probe + %s slack)", bound, longestOpen, CALL_TIMEOUT, SLACK).isTrue();
    return took;
  }

  private void buildClient(int index, ReferenceFlagService service, String prefix, ChaosLedger ledger) {
    MemoryFlagCache memory = MemoryFlagCache.builder().ttl(Duration.ofSeconds(2)).build();
    RedisFlagCache redisTier = RedisFlagCache.builder().uri(redis.uri()).prefix(prefix).build();
    layers.add(redisTier);
    redisTiers.add(redisTier);
    GrpcFlagStore primary = GrpcFlagStore.builder().name("flags-grpc").target(service.grpcTarget()).plaintext()
        .callTimeout(CALL_TIMEOUT).build();
    layers.add(primary);
    FindCounter counter = new FindCounter();
    finds.add(counter);
    MongoFlagStore secondary = MongoFlagStore.builder().connectionString(mongo.connectionString())
        .executorThreads(16).clientSettings(b -> b.addCommandListener(counter)).build();
    layers.add(secondary);
    BreakerTrail trail = new BreakerTrail();
    trails.add(trail);
    FlagEventListener notices = new FlagEventListener() {
      @Override
      public void flagsChanged(Set<String> flags) {
        ledger.noticeHandled(index, flags);
      }
    };
    FlagClient client = FlagClient.builder().addCache(memory).addCache(redisTier).primary(primary)
        .secondary(secondary).primaryBreaker(BREAKER).cacheBreaker(BREAKER)
        .secondaryMaxConcurrency(SECONDARY_BOUND).eventListener(FlagEventListener.compose(trail, notices)).build();
    clients.add(client);
    eventually("the Redis tier connects", redisTier::isConnected);
    // Connect the channel before the client counts failures: a cold JVM may take longer than 1 s.
    eventually("the primary answers", () -> {
      try {
        return !primary.getFlags("tenant-0", Set.of("flag-0")).toCompletableFuture().join().isEmpty();
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  private void closeAll() throws Exception {
    for (FlagClient client : clients) {
      client.close();
    }
    for (AutoCloseable layer : layers) {
      layer.close();
    }
  }

  /** The client's engine, for its count of loads in flight (no public accessor: a diagnostic only). */
  private static ResolutionEngine engine(FlagClient client) {
    try {
      java.lang.reflect.Field f = FlagClient.class.getDeclaredField("engine");
      f.setAccessible(true);
      return (ResolutionEngine) f.get(client);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("FlagClient no longer has its engine in a field named 'engine'", e);
    }
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  /** Counts the {@code find} commands running at MongoDB for one store, and the most at once. */
  static final class FindCounter implements CommandListener {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();

    @Override
    public void commandStarted(CommandStartedEvent event) {
      if ("find".equals(event.getCommandName())) {
        max.accumulateAndGet(running.incrementAndGet(), Math::max);
      }
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
      if ("find".equals(event.getCommandName())) {
        running.decrementAndGet();
      }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
      if ("find".equals(event.getCommandName())) {
        running.decrementAndGet();
      }
    }
  }
}
