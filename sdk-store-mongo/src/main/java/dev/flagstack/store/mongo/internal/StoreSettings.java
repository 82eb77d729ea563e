package dev.flagstack.store.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A MongoDB store's settings once the builder has validated them and filled in the defaults.
 *
 * @param connectionString the raw connection string (secret), or null with a supplied client
 * @param parsedConnectionString its parsed form, or null with a supplied client
 * @param client the caller's client, or null
 * @param database the database, or null for the connection string's, else the default
 * @param clientSettings the caller's adjustments of a built client, or null
 */
public record StoreSettings(
    String name,
    String connectionString,
    ConnectionString parsedConnectionString,
    MongoClient client,
    String database,
    String collection,
    Duration callTimeout,
    Duration serverSelectionTimeout,
    Duration connectTimeout,
    Duration readTimeout,
    Duration poolWaitTimeout,
    ReadPreference readPreference,
    int executorThreads,
    int queueCapacity,
    Consumer<MongoClientSettings.Builder> clientSettings) {

  /** Never shows the connection string. */
  @Override
  public String toString() {
    return "StoreSettings{name=" + name + '}';
  }
}
