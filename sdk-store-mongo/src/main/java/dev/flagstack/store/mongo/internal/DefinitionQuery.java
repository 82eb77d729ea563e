package dev.flagstack.store.mongo.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import dev.flagstack.FlagDefinition;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;

/**
 * The one query behind a batch: {@code {_id: {$in: [...]}}} on the {@code _id} index, projected to the
 * schema's fields and fetched in a single batch.
 *
 * <p>Every find carries {@code maxTimeMS} = the store's call timeout, so the server gives up on the query
 * when the client does, and a query the client abandoned does not keep a server busy. The driver's
 * operation timeout ({@code timeoutMS}, "client-side operation timeout") would bound server selection and
 * the socket reads too, but in driver 5.6 its API is still marked alpha; the store's built client bounds
 * those with its own short timeouts instead.
 */
public final class DefinitionQuery {
  private final MongoCollection<BsonDocument> collection;
  private final long maxTimeMillis;

  /** Queries over {@code collection} that the server ends after {@code callTimeout}. */
  public DefinitionQuery(MongoCollection<BsonDocument> collection, Duration callTimeout) {
    this.collection = collection;
    this.maxTimeMillis = Math.max(1, callTimeout.toMillis());
  }

  /**
   * The definitions of those {@code flags} that have a document. Blocks on the driver.
   *
   * @throws InvalidDefinitionException for the first bad document in key order, so no flag of the batch
   *     gets a partial answer
   */
  public Map<String, FlagDefinition> run(Collection<String> flags) throws InvalidDefinitionException {
    List<String> ids = List.copyOf(flags);
    Map<String, FlagDefinition> definitions = new HashMap<>(ids.size() * 2);
    InvalidDefinitionException firstBad = null;
    // One batch for the whole answer; the limit lets the server close the cursor without a killCursors.
    try (MongoCursor<BsonDocument> cursor = collection.find(Filters.in("_id", ids))
        .projection(FlagDocuments.PROJECTION)
        .batchSize(ids.size())
        .limit(ids.size())
        .maxTime(maxTimeMillis, TimeUnit.MILLISECONDS)
        .iterator()) {
      while (cursor.hasNext()) {
        BsonDocument doc = cursor.next();
        try {
          FlagDefinition def = FlagDocuments.parse(doc);
          definitions.put(def.key(), def);
        } catch (InvalidDefinitionException e) {
          if (firstBad == null || e.flag().compareTo(firstBad.flag()) < 0) {
            firstBad = e;
          }
        }
      }
    }
    if (firstBad != null) {
      throw firstBad;
    }
    return definitions;
  }
}
