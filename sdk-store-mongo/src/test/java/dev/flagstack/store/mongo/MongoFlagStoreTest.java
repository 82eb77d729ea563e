package dev.flagstack.store.mongo;

import static dev.flagstack.store.mongo.MongoTestSupport.await;
import static dev.flagstack.store.mongo.MongoTestSupport.flag;
import static dev.flagstack.store.mongo.MongoTestSupport.insert;
import static dev.flagstack.store.mongo.MongoTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.mongo.MongoTestSupport.CommandCounter;
import dev.flagstack.testservers.MongoServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MongoFlagStoreTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private static MongoClient admin;
  private final CommandCounter commands = new CommandCounter();
  private final List<MongoFlagStore> stores = new ArrayList<>();
  private String collection;
  private MongoFlagStore store;

  @BeforeAll
  static void connectAdmin() {
    admin = MongoClients.create(mongo.connectionString());
  }

  @AfterAll
  static void closeAdmin() {
    admin.close();
  }

  @BeforeEach
  void newCollectionAndStore() {
    collection = MongoTestSupport.newCollectionName();
    store = track(MongoFlagStore.builder()
        .connectionString(mongo.connectionString())
        .collection(collection)
        .clientSettings(s -> s.addCommandListener(commands))
        .build());
  }

  @AfterEach
  void closeStores() {
    stores.forEach(MongoFlagStore::close);
  }

  private MongoFlagStore track(MongoFlagStore s) {
    stores.add(s);
    return s;
  }

  private static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    return fail("expected the read to fail");
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation

  @Test
  void defaultIsServedToEntitiesWithoutOverride() throws Exception {
    insert(admin, collection, flag("banner", "blue"));
    assertThat(read(store, "anyone", "banner")).containsExactly(Map.entry("banner", FlagValue.of("blue")));
  }

  @Test
  void overrideIsServedToItsEntityOnly() throws Exception {
    insert(admin, collection, flag("banner", "blue")
        .append("overrides", List.of(new Document("entity", "tenant-42").append("value", "red"))));
    assertThat(read(store, "tenant-42", "banner")).containsEntry("banner", FlagValue.of("red"));
    assertThat(read(store, "tenant-43", "banner")).containsEntry("banner", FlagValue.of("blue"));
  }

  @Test
  void rolloutFollowsTheDocumentedBucketForEveryEntity() throws Exception {
    insert(admin, collection, flag("new-checkout", false)
        .append("overrides", List.of(new Document("entity", "vip-0").append("value", false)))
        .append("rollout", new Document("percentage", 30).append("value", true)));
    int in = 0;
    for (int i = 0; i < 300; i++) {
      String entity = "vip-" + i;
      boolean expected = i != 0 && FlagDefinition.bucket("new-checkout", entity) < 3000;
      boolean actual = read(store, entity, "new-checkout").get("new-checkout").booleanValue();
      assertThat(actual).as("entity %s", entity).isEqualTo(expected);
      in += actual ? 1 : 0;
    }
    assertThat(in).isBetween(60, 120);
  }

  @Test
  void everyValueTypeIsReadAsTheMatchingFlagValue() throws Exception {
    insert(admin, collection,
        flag("bool", true),
        flag("int32", 7),
        flag("int64", 1L << 40),
        flag("double", 0.25),
        flag("forced-double", 3).append("type", "double"),
        flag("object", new Document("limit", 5).append("tags", List.of("a", "b")).append("none", null)),
        flag("array", List.of(1, "two", 3.5)));
    Map<String, FlagValue> values = read(store, "e",
        "bool", "int32", "int64", "double", "forced-double", "object", "array");
    assertThat(values).containsEntry("bool", FlagValue.TRUE)
        .containsEntry("int32", FlagValue.of(7))
        .containsEntry("int64", FlagValue.of(1L << 40))
        .containsEntry("double", FlagValue.of(0.25))
        .containsEntry("forced-double", FlagValue.of(3.0))
        .containsEntry("array", FlagValue.fromJson("[1,\"two\",3.5]"));
    assertThat(values.get("object").toJson()).isEqualTo("{\"limit\":5,\"tags\":[\"a\",\"b\"],\"none\":null}");
  }

  // ---------------------------------------------------------------------------------------------
  // Keys are data

  @Test
  void keyWithDotsAndDollarIsData() throws Exception {
    List<String> keys = List.of("a.b.c", "$where", "$in", "with space", "ünïcødé 🚀 旗", "x".repeat(500),
        "{\"$gt\": \"\"}");
    for (String key : keys) {
      insert(admin, collection, flag(key, "value of " + key.length())
          .append("overrides", List.of(new Document("entity", "$set.field").append("value", "odd entity"))));
    }
    insert(admin, collection, flag("decoy", "must not be returned"));
    Map<String, FlagValue> values = await(store.getFlags("plain", new LinkedHashSet<>(keys)));
    assertThat(values).hasSize(keys.size());
    for (String key : keys) {
      assertThat(values.get(key)).as(key).isEqualTo(FlagValue.of("value of " + key.length()));
    }
    assertThat(await(store.getFlags("$set.field", Set.of("a.b.c")))).containsEntry("a.b.c", FlagValue.of("odd entity"));
  }

  // ---------------------------------------------------------------------------------------------
  // Batches

  @Test
  void fiveHundredFlagsAreOneQuery() throws Exception {
    List<Document> docs = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      docs.add(flag("flag-" + i, (long) i));
      keys.add("flag-" + i);
    }
    insert(admin, collection, docs.toArray(new Document[0]));
    read(store, "warm-up", "flag-0");
    commands.reset();

    Map<String, FlagValue> values = await(store.getFlags("e", keys));

    assertThat(values).hasSize(500).containsEntry("flag-499", FlagValue.of(499));
    assertThat(commands.count("find")).isEqualTo(1);
    assertThat(commands.count("getMore")).isZero();
    assertThat(commands.count("killCursors")).isZero();
    // A real server returns only 101 documents in a first batch unless asked for more; mongo-java-server
    // returns them all, so check that the request itself asks for everything in one batch.
    BsonDocument find = commands.lastFind();
    assertThat(find.getInt32("batchSize").getValue()).isGreaterThanOrEqualTo(500);
    assertThat(find.getDocument("filter").getDocument("_id").getArray("$in")).hasSize(500);
    assertThat(find.getDocument("projection").keySet()).containsExactlyInAnyOrder("type", "value", "overrides", "rollout");
  }

  @Test
  void unknownFlagIsAbsentNotAnError() throws Exception {
    insert(admin, collection, flag("known", true));
    assertThat(read(store, "e", "known", "unknown")).containsOnlyKeys("known");
    assertThat(read(store, "e", "unknown")).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Wrong shapes

  static List<Arguments> wrongShapes() {
    return List.of(
        Arguments.of(flag("bad", true).append("overrides", new Document("tenant", true)), "overrides must be an array"),
        Arguments.of(flag("bad", true).append("rollout", new Document("percentage", 250).append("value", true)),
            "rollout.percentage must be from 0 to 100, was 250"),
        Arguments.of(flag("bad", true).append("rollout", new Document("percentage", "50").append("value", true)),
            "rollout.percentage must be a number"),
        Arguments.of(flag("bad", new Date(0)), "value has unsupported BSON type DATE_TIME"),
        Arguments.of(new Document("_id", "bad"), "value is missing"),
        Arguments.of(flag("bad", true).append("overrides", List.of(new Document("entity", "e").append("value", "yes"))),
            "override for entity 'e' of flag 'bad' is STRING, but the default is BOOLEAN"),
        Arguments.of(flag("bad", true).append("overrides", List.of(new Document("value", false))),
            "overrides[0].entity must be a non-empty string"),
        Arguments.of(flag("bad", true).append("overrides", List.of(
            new Document("entity", "e").append("value", false), new Document("entity", "e").append("value", true))),
            "overrides[1] repeats an entity"),
        Arguments.of(flag("bad", "x").append("type", "color"), "type must be one of"),
        Arguments.of(flag("bad", "x").append("type", "long"), "value is STRING, but type is \"long\""),
        Arguments.of(flag("bad", Double.NaN), "value is not a valid flag value"));
  }

  @ParameterizedTest
  @MethodSource("wrongShapes")
  void wrongShapeDocumentIsANonTransientErrorNamingTheFlag(Document doc, String reason) throws Exception {
    insert(admin, collection, doc);
    Throwable error = failureOf(store.getFlags("e", Set.of("bad")));
    assertThat(error).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("flag 'bad' has an invalid definition: ")
        .hasMessageContaining(reason);
    assertThat(((StoreException) error).isTransient()).isFalse();
    assertThat(((StoreException) error).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
  }

  @Test
  void badDocumentFailsOnlyBatchesThatAskForIt() throws Exception {
    insert(admin, collection, flag("good", true),
        flag("bad", true).append("overrides", "not an array"),
        flag("worse", true).append("rollout", 5));
    Throwable error = failureOf(store.getFlags("e", Set.of("good", "worse", "bad")));
    assertThat(error).hasMessageStartingWith("flag 'bad' has an invalid definition");
    assertThat(StoreException.isTransient(error)).isFalse();
    assertThat(read(store, "e", "good", "missing")).containsOnlyKeys("good");
  }

  // ---------------------------------------------------------------------------------------------
  // Failures of the server

  @Test
  void stoppedServerIsATransientFailureWellUnderThreeSeconds() throws Exception {
    assumeTrue(mongo.canStop(), "the server from the environment cannot be stopped");
    insert(admin, collection, flag("f", true));
    assertThat(read(store, "e", "f")).containsKey("f");
    mongo.stop();
    try {
      for (int attempt = 0; attempt < 2; attempt++) { // a pooled connection first, then server selection
        long start = System.nanoTime();
        Throwable error = failureOf(store.getFlags("e", Set.of("f")));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(error).isInstanceOf(StoreException.class);
        assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
        assertThat(error.getMessage()).startsWith("mongo store 'mongo' failed: ").doesNotContain("mongodb://");
        assertThat(elapsed).isLessThan(Duration.ofMillis(2_500));
      }
    } finally {
      mongo.restart();
      // The stop dropped the admin client's pooled connections too; start afresh for later tests.
      admin.close();
      admin = MongoClients.create(mongo.connectionString());
    }
    // Back at the same address with the same data; the first read may still meet a dropped connection.
    Map<String, FlagValue> after = null;
    for (int attempt = 0; attempt < 3 && after == null; attempt++) {
      try {
        after = read(store, "e", "f");
      } catch (ExecutionException e) {
        assertThat(StoreException.isTransient(e.getCause())).isTrue();
      }
    }
    assertThat(after).containsKey("f");
  }

  /** A server that accepts connections and never says a word: the read fails transiently, in bounded time. */
  @Test
  void serverThatAcceptsAndNeverAnswersIsATransientFailureInBoundedTime() throws Exception {
    try (java.net.ServerSocket blackHole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(blackHole.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (MongoFlagStore silent = MongoFlagStore.builder()
          .connectionString("mongodb://127.0.0.1:" + blackHole.getLocalPort())
          .collection(collection).build()) {
        long start = System.nanoTime();
        Throwable error = failureOf(silent.getFlags("e", Set.of("f")));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(StoreException.isTransient(error)).as("%s", error).isTrue();
        assertThat(elapsed).isLessThan(silent.callTimeout().plusSeconds(1));
      } finally {
        for (java.net.Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void fullQueueFailsTransientlyAtOnceWithoutBlockingTheCaller() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicReference<String> driverThread = new AtomicReference<>();
    CommandListener blocker = new CommandListener() {
      @Override
      public void commandStarted(CommandStartedEvent event) {
        if (event.getCommandName().equals("find")) {
          driverThread.set(Thread.currentThread().getName());
          blocked.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    insert(admin, collection, flag("f", true));
    MongoFlagStore small = track(MongoFlagStore.builder()
        .connectionString(mongo.connectionString())
        .collection(collection)
        .executorThreads(1)
        .queueCapacity(1)
        .clientSettings(s -> s.addCommandListener(blocker))
        .build());
    CompletableFuture<Map<String, FlagValue>> running = small.getFlags("e", Set.of("f")).toCompletableFuture();
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Map<String, FlagValue>> queued = small.getFlags("e", Set.of("f")).toCompletableFuture();
    long start = System.nanoTime();
    CompletableFuture<Map<String, FlagValue>> rejected = small.getFlags("e", Set.of("f")).toCompletableFuture();
    long nanos = System.nanoTime() - start;

    assertThat(running).isNotDone();
    assertThat(queued).isNotDone();
    assertThat(rejected).isCompletedExceptionally();
    assertThat(nanos).isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
    Throwable error = failureOf(rejected);
    assertThat(error).hasMessageContaining("queue is full");
    assertThat(StoreException.isTransient(error)).isTrue();
    assertThat(driverThread.get()).startsWith("flagstack-mongo-mongo-");

    release.countDown();
    assertThat(await(running)).containsKey("f");
    assertThat(await(queued)).containsKey("f");
  }

  @Test
  void everyFindCarriesTheCallTimeoutAsMaxTimeMS() throws Exception {
    insert(admin, collection, flag("f", true));
    read(store, "e", "f");
    assertThat(commands.lastFind().getNumber("maxTimeMS").longValue()).isEqualTo(2_000L);

    CommandCounter own = new CommandCounter();
    MongoFlagStore quick = track(MongoFlagStore.builder()
        .connectionString(mongo.connectionString())
        .collection(collection)
        .callTimeout(Duration.ofMillis(750))
        .clientSettings(s -> s.addCommandListener(own))
        .build());
    read(quick, "e", "f");
    assertThat(own.lastFind().getNumber("maxTimeMS").longValue()).isEqualTo(750L);
  }

  /** The client holds its concurrency permit until the stage completes: that must mean the query is over. */
  @Test
  void theStageCompletesOnlyWhenTheDriverCallHasReturnedEvenPastTheCallTimeout() throws Exception {
    CountDownLatch inDriver = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CommandListener slowReply = new CommandListener() {
      @Override
      public void commandSucceeded(CommandSucceededEvent event) {
        if (event.getCommandName().equals("find")) {
          inDriver.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    insert(admin, collection, flag("f", true));
    MongoFlagStore slow = track(MongoFlagStore.builder()
        .connectionString(mongo.connectionString())
        .collection(collection)
        .callTimeout(Duration.ofMillis(100))
        .clientSettings(s -> s.addCommandListener(slowReply))
        .build());
    try {
      CompletableFuture<Map<String, FlagValue>> stage = slow.getFlags("e", Set.of("f")).toCompletableFuture();
      assertThat(inDriver.await(5, TimeUnit.SECONDS)).isTrue();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
      while (System.nanoTime() < until) {
        assertThat(stage).as("the driver call is still running").isNotDone();
        Thread.sleep(20);
      }
      release.countDown();
      assertThat(await(stage)).containsEntry("f", FlagValue.TRUE);
    } finally {
      release.countDown();
    }
  }

  @Test
  void closingFailsQueuedCallsTransientlyAndLaterCallsToo() throws Exception {
    store.close();
    Throwable error = failureOf(store.getFlags("e", Set.of("f")));
    assertThat(StoreException.isTransient(error)).isTrue();
    assertThat(error).hasMessageContaining("closed");
    store.close(); // idempotent
  }

  // ---------------------------------------------------------------------------------------------
  // Secrets and ownership

  @Test
  void passwordNeverAppearsInToStringExceptionsOrLogs() throws Exception {
    String password = "Sup3r%40Secret-pw"; // decodes to Sup3r@Secret-pw
    String decoded = "Sup3r@Secret-pw";
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ConnectionString served = new ConnectionString(mongo.connectionString());
    String host = served.getHosts().get(0);
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<Throwable> errors = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String target : List.of(host, "127.0.0.1:" + closedPort)) {
        String uri = "mongodb://flag-reader:" + password + "@" + target + "/flagstack?authSource=admin";
        MongoFlagStore secret = track(MongoFlagStore.builder().connectionString(uri).collection(collection).build());
        strings.add(secret.toString());
        strings.add(MongoFlagStore.builder().connectionString(uri).toString());
        try {
          await(secret.getFlags("e", Set.of("f")));
        } catch (ExecutionException e) {
          errors.add(e.getCause());
        }
      }
      try {
        MongoFlagStore.builder().connectionString("mongodb://flag-reader:" + password + "@host:notaport/");
      } catch (IllegalArgumentException e) {
        errors.add(e);
      }
    } finally {
      System.setErr(originalErr);
    }
    assertThat(errors).as("the closed port and the bad URI must fail").hasSizeGreaterThanOrEqualTo(2);
    for (Throwable e : errors) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(t.toString()).doesNotContain(password).doesNotContain(decoded);
      }
    }
    assertThat(strings).allSatisfy(s -> assertThat(s).doesNotContain(password).doesNotContain(decoded)
        .doesNotContain("flag-reader:"));
    assertThat(strings.get(0)).contains(host);
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(password).doesNotContain(decoded);
  }

  @Test
  void suppliedClientIsUsedAndNotClosed() throws Exception {
    CommandCounter own = new CommandCounter();
    try (MongoClient client = MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(mongo.connectionString()))
        .addCommandListener(own)
        .build())) {
      insert(admin, collection, flag("f", "from the supplied client"));
      MongoFlagStore supplied = MongoFlagStore.builder().client(client).collection(collection).build();
      assertThat(read(supplied, "e", "f")).containsEntry("f", FlagValue.of("from the supplied client"));
      assertThat(own.count("find")).isEqualTo(1);
      supplied.close();

      assertThat(client.getDatabase("flagstack").getCollection(collection).countDocuments()).isEqualTo(1);
      assertThat(supplied.toString()).contains("ownsClient=false");
    }
  }

  @Test
  void builderNamesTheOptionAndTheBadValue() {
    assertThatThrownBy(() -> MongoFlagStore.builder().callTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be positive, was PT0S");
    assertThatThrownBy(() -> MongoFlagStore.builder().executorThreads(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("executorThreads").hasMessageContaining("0");
    assertThatThrownBy(() -> MongoFlagStore.builder().queueCapacity(-3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity").hasMessageContaining("-3");
    assertThatThrownBy(() -> MongoFlagStore.builder().collection("$bad"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'$bad'");
    assertThatThrownBy(() -> MongoFlagStore.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("name was already set to a");
    assertThatThrownBy(() -> MongoFlagStore.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("connectionString").hasMessageContaining("client");
    assertThatThrownBy(() -> MongoFlagStore.builder().connectionString("http://nope"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectionString is not a valid");
    try (MongoClient client = MongoClients.create(mongo.connectionString())) {
      assertThatThrownBy(() -> MongoFlagStore.builder().connectionString(mongo.connectionString()).client(client))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be combined");
    }
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertThat(store.callTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(store.name()).isEqualTo("mongo");
    assertThat(store.toString()).contains("readPreference=primaryPreferred").contains("database=flagstack")
        .contains("collection=" + collection);
  }
}
