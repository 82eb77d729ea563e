package dev.flagstack.store.mongo.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import dev.flagstack.FlagDefinition;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;

/**
 * The one query behind a batch: {@code {_id: {$in: [...]}}} on the {@code _id} index, projected to the
 * schema's fields and fetched in a single batch.
 */
public final class DefinitionQuery {
  private final MongoCollection<BsonDocument> collection;

  /** Queries over {@code collection}. */
  public DefinitionQuery(MongoCollection<BsonDocument> collection) {
    this.collection = collection;
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
