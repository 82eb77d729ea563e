package dev.flagstack.examples.reference;

import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.flagstack.FlagDefinition;
import dev.flagstack.store.mongo.internal.FlagDocuments;
import dev.flagstack.store.mongo.internal.InvalidDefinitionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the flag definitions in memory: read from MongoDB at start and again every refresh interval,
 * parsed by the same code as the Mongo store ({@link FlagDocuments}), so that this service (the primary)
 * and a Mongo secondary evaluate alike. While MongoDB cannot be read, the last good copy keeps being
 * served: the primary and the secondary fail independently.
 */
final class DefinitionRepository implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DefinitionRepository.class);

  private final MongoClient client;
  private final MongoCollection<BsonDocument> collection;
  private final Duration refreshInterval;
  private final List<BiConsumer<Long, Set<String>>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService refresher;
  private volatile DefinitionSnapshot snapshot = DefinitionSnapshot.EMPTY;
  private volatile boolean mongoDown;

  DefinitionRepository(String connectionString, String database, String collectionName, Duration refreshInterval) {
    MongoClientSettings settings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(connectionString))
        .applyToClusterSettings(b -> b.serverSelectionTimeout(1, TimeUnit.SECONDS))
        .applyToSocketSettings(b -> b.connectTimeout(1, TimeUnit.SECONDS).readTimeout(2, TimeUnit.SECONDS))
        .build();
    this.client = MongoClients.create(settings);
    this.collection = client.getDatabase(database).getCollection(collectionName, BsonDocument.class);
    this.refreshInterval = refreshInterval;
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reference-service-refresh");
      t.setDaemon(true);
      return t;
    });
  }

  /** Reads once (failing if MongoDB cannot be read), then refreshes in the background. */
  void start() {
    if (!refresh()) {
      log.warn("flag definitions could not be read at start; serving none until MongoDB answers");
    }
    long millis = refreshInterval.toMillis();
    refresher.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
  }

  DefinitionSnapshot snapshot() {
    return snapshot;
  }

  /** Called with (new version, changed keys) after each refresh that changed something; must not block. */
  void onChange(BiConsumer<Long, Set<String>> listener) {
    listeners.add(listener);
  }

  /** Reads every definition now; returns false (keeping the current copy) if MongoDB could not be read. */
  synchronized boolean refresh() {
    Map<String, FlagDefinition> definitions = new HashMap<>();
    Map<String, String> broken = new HashMap<>();
    try {
      for (BsonDocument doc : collection.find().projection(FlagDocuments.PROJECTION)) {
        try {
          FlagDefinition definition = FlagDocuments.parse(doc);
          definitions.put(definition.key(), definition);
        } catch (InvalidDefinitionException e) {
          broken.put(e.flag(), e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      if (!mongoDown) {
        mongoDown = true;
        log.warn("MongoDB unreadable, serving the last good copy of {} definitions: {}",
            snapshot.definitions().size(), e.getClass().getSimpleName());
      }
      return false;
    }
    if (mongoDown) {
      mongoDown = false;
      log.info("MongoDB readable again");
    }
    DefinitionSnapshot current = snapshot;
    DefinitionSnapshot candidate = new DefinitionSnapshot(current.version(), definitions, broken);
    Set<String> changed = current.changedKeys(candidate);
    if (!changed.isEmpty()) {
      DefinitionSnapshot next = new DefinitionSnapshot(current.version() + 1, definitions, broken);
      snapshot = next;
      for (BiConsumer<Long, Set<String>> listener : listeners) {
        try {
          listener.accept(next.version(), changed);
        } catch (RuntimeException e) {
          log.warn("a change listener failed", e);
        }
      }
    }
    return true;
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    client.close();
  }
}
