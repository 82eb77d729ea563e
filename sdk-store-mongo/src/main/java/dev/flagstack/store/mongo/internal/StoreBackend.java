package dev.flagstack.store.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;

/**
 * The store's client and collection: the caller's client, or one built here whose waits are all short
 * (the driver's defaults wait 30 s for a server and forever for a socket read) and which never retries
 * reads. Only a client built here is closed with the store.
 */
public final class StoreBackend {
  private final MongoClient client;
  private final boolean ownsClient;
  private final MongoCollection<BsonDocument> collection;
  private final String description;

  /** The client and collection for {@code s}; builds a client unless one was supplied. */
  public StoreBackend(StoreSettings s, String defaultDatabase, Secrets secrets) {
    String database = s.database();
    String where;
    if (s.client() != null) {
      this.client = s.client();
      this.ownsClient = false;
      where = "a supplied client";
    } else {
      ConnectionString cs = s.parsedConnectionString();
      MongoClientSettings.Builder settings = MongoClientSettings.builder()
          .applyConnectionString(cs)
          .retryReads(false)
          .applyToClusterSettings(c -> c.serverSelectionTimeout(s.serverSelectionTimeout().toMillis(),
              TimeUnit.MILLISECONDS))
          .applyToSocketSettings(k -> k
              .connectTimeout((int) s.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .readTimeout((int) s.readTimeout().toMillis(), TimeUnit.MILLISECONDS))
          .applyToConnectionPoolSettings(p -> p
              .maxWaitTime(s.poolWaitTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .maxSize(s.executorThreads())
              .minSize(0));
      if (s.clientSettings() != null) {
        s.clientSettings().accept(settings);
      }
      this.client = MongoClients.create(settings.build());
      this.ownsClient = true;
      if (database == null) {
        database = cs.getDatabase();
      }
      where = String.join(",", cs.getHosts());
    }
    if (database == null) {
      database = defaultDatabase;
    }
    this.collection = client.getDatabase(database)
        .getCollection(s.collection(), BsonDocument.class)
        .withReadPreference(s.readPreference());
    this.description = "MongoFlagStore{name=" + s.name() + ", hosts=" + secrets.redact(where)
        + ", database=" + database + ", collection=" + s.collection()
        + ", readPreference=" + s.readPreference().getName() + ", ownsClient=" + ownsClient + '}';
  }

  /** The collection of flag documents, with the store's read preference. */
  public MongoCollection<BsonDocument> collection() {
    return collection;
  }

  /** The store's description: name, hosts, database, collection, read preference; no secrets. */
  public String description() {
    return description;
  }

  /** Closes the client if it was built here. */
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
