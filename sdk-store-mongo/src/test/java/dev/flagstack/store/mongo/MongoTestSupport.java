package dev.flagstack.store.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import dev.flagstack.FlagValue;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.bson.Document;

/** Shared helpers: a command counter, a collection per test, and waiting on a store's answer. */
final class MongoTestSupport {
  private static final AtomicLong COLLECTIONS = new AtomicLong();

  private MongoTestSupport() {}

  /** Counts the commands a client sends, by name. */
  static final class CommandCounter implements CommandListener {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private volatile BsonDocument lastFind;

    @Override
    public void commandStarted(CommandStartedEvent event) {
      counts.computeIfAbsent(event.getCommandName(), k -> new AtomicInteger()).incrementAndGet();
      if (event.getCommandName().equals("find")) {
        lastFind = event.getCommand().clone();
      }
    }

    /** The last find command sent, as the driver wrote it. */
    BsonDocument lastFind() {
      return lastFind;
    }

    int count(String command) {
      AtomicInteger c = counts.get(command);
      return c == null ? 0 : c.get();
    }

    void reset() {
      counts.clear();
    }
  }

  static String newCollectionName() {
    return "flags_" + COLLECTIONS.incrementAndGet();
  }

  static MongoClient adminClient(String uri) {
    return MongoClients.create(uri);
  }

  static void insert(MongoClient client, String collection, Document... docs) {
    MongoCollection<Document> c = client.getDatabase(MongoFlagStore.Builder.DEFAULT_DATABASE).getCollection(collection);
    c.insertMany(java.util.List.of(docs));
  }

  static Document flag(String key, Object value) {
    return new Document("_id", key).append("value", value);
  }

  static Map<String, FlagValue> await(CompletionStage<Map<String, FlagValue>> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Map<String, FlagValue> read(MongoFlagStore store, String entity, String... flags) throws Exception {
    return await(store.getFlags(entity, Set.of(flags)));
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
