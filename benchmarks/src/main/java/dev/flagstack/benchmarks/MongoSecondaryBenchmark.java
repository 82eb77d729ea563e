package dev.flagstack.benchmarks;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import dev.flagstack.BreakerSettings;
import dev.flagstack.BreakerState;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagDefinitionStore;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.store.mongo.MongoFlagStore;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The MongoDB secondary, two ways, against a raw driver {@code find} of the same flag document on the
 * same server (MongoDB from {@code flagstack-test-servers}: the in-JVM mongo-java-server spoken to by the
 * real driver unless {@code FLAGSTACK_MONGODB_URI} or Docker provide a real one).
 *
 * <ul>
 *   <li>{@link #storeGetFlags}: the store call itself, {@code store.getFlags(entity, Set.of(flag))}, which
 *       queries on the store's own threads, parses the definition and evaluates it for the entity.
 *   <li>{@link #breakerOpenGetFlag}: a read through a {@link FlagClient} whose primary keeps failing with
 *       its breaker open, so the read goes straight to the secondary. The client has no cache tier, and
 *       every read asks for a different (entity, flag) pair, so the client's short-lived cache of the
 *       secondary's <em>answers</em> cannot answer. The store is a {@link FlagDefinitionStore}, so the
 *       client reuses each flag's <em>definition</em> for its {@code secondaryCacheTtl} (5 s) and evaluates
 *       it per entity: the reported {@code find}s per read show how many reads that spared a query.
 *   <li>{@link #breakerOpenPlainStore}: the same with the store seen as a plain {@link FlagStore} (a view
 *       that only delegates {@code getFlags}), so no definition is reused and every read is one
 *       {@code find}: the cost of the breaker-open path itself.
 * </ul>
 *
 * <p>Set-up fails unless all three read the same value for a sample of entities, the breaker is open and
 * the client's read comes from the secondary. Tear-down fails if the primary was called, the breaker
 * closed, or any MongoDB command failed; {@link BackendCalls} reports {@code find}s per read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class MongoSecondaryBenchmark {
  static final int FLAGS = 10;
  /** Distinct entities read in turn: a cycle far longer than the client's 5 s reuse of an answer. */
  static final int ENTITIES = 1 << 20;
  static final Duration NEVER_HALF_OPEN = Duration.ofHours(1);

  private MongoServerExtension mongo;
  private FindCounter counter;
  private MongoClient rawClient;
  private MongoCollection<Document> rawCollection;
  private MongoFlagStore store;
  private InMemoryFlagStore primary;
  private FlagClient client;
  private FlagClient plainClient;
  private final String[] flagIds = new String[FLAGS];
  private String[] entityIds;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    mongo = new MongoServerExtension();
    mongo.start();
    counter = new FindCounter();
    rawClient = MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(mongo.connectionString()))
        .addCommandListener(counter)
        .build());
    rawCollection = rawClient.getDatabase(MongoFlagStore.Builder.DEFAULT_DATABASE)
        .getCollection(MongoFlagStore.Builder.DEFAULT_COLLECTION);
    rawCollection.deleteMany(new Document()); // a server from the environment may hold an earlier run's
    entityIds = new String[ENTITIES];
    for (int e = 0; e < ENTITIES; e++) {
      entityIds[e] = String.format("tenant-%07d", e);
    }
    List<Document> docs = new ArrayList<>();
    for (int f = 0; f < FLAGS; f++) {
      flagIds[f] = String.format("flag-%02d", f);
      List<Document> overrides = new ArrayList<>();
      for (int o = 0; o < 10; o++) {
        overrides.add(new Document("entity", entityIds[o * 7 + f]).append("value", true));
      }
      docs.add(new Document("_id", flagIds[f]).append("value", false).append("overrides", overrides)
          .append("rollout", new Document("percentage", 25.0).append("value", true)));
    }
    rawCollection.insertMany(docs);

    // The store builds its own client, with its defaults, plus the counting listener.
    store = MongoFlagStore.builder().connectionString(mongo.connectionString())
        .clientSettings(settings -> settings.addCommandListener(counter))
        .build();
    primary = new InMemoryFlagStore("primary").failTransiently();
    client = breakerOpen(store);
    plainClient = breakerOpen(plainView(store));
    primary.resetCounters();

    for (int e = 0; e < 40; e++) {
      String entity = entityIds[e];
      String flag = flagIds[e % FLAGS];
      FlagValue fromStore = store.getFlags(entity, Set.of(flag)).toCompletableFuture().join().get(flag);
      FlagDetail detail = client.getFlagDetail(entity, flag, FlagValue.of("none"));
      FlagDetail plain = plainClient.getFlagDetail(entity, flag, FlagValue.of("none"));
      Document raw = rawCollection.find(Filters.eq("_id", flag)).first();
      if (fromStore == null || raw == null || !fromSecondary(detail, fromStore) || !fromSecondary(plain, fromStore)) {
        throw new IllegalStateException("entity " + entity + ", flag " + flag + ": store " + fromStore
            + ", client " + detail + ", client of the plain view " + plain + ", raw document " + raw);
      }
    }
    if (primary.calls() != 0) {
      throw new IllegalStateException("the primary was called with its breaker open");
    }
    if (counter.failures() != 0) {
      throw new IllegalStateException("set-up saw a failed MongoDB command: " + counter.lastFailure());
    }
    next = 40;
  }

  @TearDown(Level.Trial)
  public void checkNothingElseHappened() {
    int primaryCalls = primary.calls();
    BreakerState breaker = client.primaryBreakerState();
    BreakerState plainBreaker = plainClient.primaryBreakerState();
    long failures = counter.failures();
    client.close();
    plainClient.close();
    primary.close();
    store.close();
    rawClient.close();
    mongo.afterAll(null);
    if (primaryCalls != 0 || breaker != BreakerState.OPEN || plainBreaker != BreakerState.OPEN) {
      throw new IllegalStateException("the primary was called " + primaryCalls + " times, its breakers are " + breaker
          + " and " + plainBreaker + ": reads did not all go straight to the secondary");
    }
    if (failures != 0) {
      throw new IllegalStateException(failures + " MongoDB commands failed, the last " + counter.lastFailure());
    }
  }

  /** The baseline: the raw driver's {@code find} of the flag's document. */
  @Benchmark
  public Document rawFind(BackendCalls calls) {
    long before = counter.finds();
    Document doc = rawCollection.find(Filters.eq("_id", flagIds[next++ % FLAGS])).first();
    calls.count(before, counter.finds());
    return doc;
  }

  /** The store call: its executor, the projected {@code $in} query, parsing and evaluating the definition. */
  @Benchmark
  public Map<String, FlagValue> storeGetFlags(BackendCalls calls) {
    long before = counter.finds();
    int i = next();
    Map<String, FlagValue> values = store.getFlags(entityIds[i], Set.of(flagIds[i % FLAGS])).toCompletableFuture().join();
    calls.count(before, counter.finds());
    return values;
  }

  /** A read with the primary's breaker open: the client goes straight to the secondary. */
  @Benchmark
  public FlagValue breakerOpenGetFlag(BackendCalls calls) {
    long before = counter.finds();
    int i = next();
    FlagValue value = client.getFlag(entityIds[i], flagIds[i % FLAGS]);
    calls.count(before, counter.finds());
    return value;
  }

  /** As {@link #breakerOpenGetFlag}, with the store seen as a plain {@link FlagStore}: one find per read. */
  @Benchmark
  public FlagValue breakerOpenPlainStore(BackendCalls calls) {
    long before = counter.finds();
    int i = next();
    FlagValue value = plainClient.getFlag(entityIds[i], flagIds[i % FLAGS]);
    calls.count(before, counter.finds());
    return value;
  }

  /** A client over {@code secondary} whose primary fails and whose primary breaker has tripped. */
  private FlagClient breakerOpen(FlagStore secondary) {
    FlagClient c = FlagClient.builder()
        .primary(primary)
        .secondary(secondary)
        .primaryBreaker(BreakerSettings.builder().openDuration(NEVER_HALF_OPEN).maxOpenDuration(NEVER_HALF_OPEN).build())
        .build();
    for (int i = 0; i < BreakerSettings.DEFAULT_FAILURE_THRESHOLD; i++) {
      c.getFlag(entityIds[ENTITIES - 1 - i], flagIds[0]);
    }
    if (c.primaryBreakerState() != BreakerState.OPEN) {
      throw new IllegalStateException("the primary's breaker is " + c.primaryBreakerState() + ", expected OPEN");
    }
    return c;
  }

  /** {@code store} as a plain {@link FlagStore}: the client cannot see it serves definitions. */
  private static FlagStore plainView(FlagDefinitionStore store) {
    return new FlagStore() {
      @Override
      public String name() {
        return store.name();
      }

      @Override
      public Duration callTimeout() {
        return store.callTimeout();
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return store.getFlags(entity, flags);
      }
    };
  }

  private boolean fromSecondary(FlagDetail detail, FlagValue expected) {
    return detail.source() == FlagSource.SECONDARY && store.name().equals(detail.layer())
        && expected.equals(detail.value());
  }

  private int next() {
    int i = next;
    next = (i + 1) & (ENTITIES - 1);
    return i;
  }
}
