package dev.flagstack.examples.drill;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import dev.flagstack.examples.reference.ReferenceFlagService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;

/**
 * Changes flag definitions the way an operator does: writes the document to MongoDB (where the secondary
 * reads it), has the flags service re-read its definitions at once ({@link ReferenceFlagService#refreshNow()},
 * instead of at its next refresh), and tells the {@link ValueOracle} when the change began and when it was
 * complete.
 *
 * <p>Every definition it makes is a "generation" of its flag: string values that name the flag and the
 * generation ({@code theme#3:default}, {@code theme#3:rollout} for 30% of entities, {@code theme#3:pinned}
 * for one entity), so a value from before a change differs from every value after it, for every entity.
 */
public final class FlagChanger {
  private final MongoCollection<Document> definitions;
  private final ReferenceFlagService service;
  private final ValueOracle oracle;
  private final String pinnedEntity;
  private final Map<String, Integer> generations = new ConcurrentHashMap<>();

  /** Writes to {@code definitions}, the collection {@code service} reads; {@code pinnedEntity} gets overrides. */
  public FlagChanger(MongoCollection<Document> definitions, ReferenceFlagService service, ValueOracle oracle,
      String pinnedEntity) {
    this.definitions = definitions;
    this.service = service;
    this.oracle = oracle;
    this.pinnedEntity = pinnedEntity;
  }

  /** The definition of {@code flag} at {@code generation}. */
  public FlagDefinition generation(String flag, int generation) {
    String prefix = flag + "#" + generation + ":";
    return FlagDefinition.builder().key(flag)
        .defaultValue(FlagValue.of(prefix + "default"))
        .override(pinnedEntity, FlagValue.of(prefix + "pinned"))
        .rollout(Rollout.ofPercentage(30, FlagValue.of(prefix + "rollout")))
        .build();
  }

  /** Replaces every definition with generation 0 of {@code flags}; the oracle learns them as the first. */
  public void seed(List<String> flags) {
    definitions.deleteMany(new Document());
    List<Document> docs = new ArrayList<>();
    for (String flag : flags) {
      FlagDefinition first = generation(flag, 0);
      docs.add(toDocument(first));
      oracle.define(first);
      generations.put(flag, 0);
    }
    definitions.insertMany(docs);
    if (!service.refreshNow()) {
      throw new IllegalStateException("the flags service could not read the seeded definitions");
    }
  }

  /**
   * Writes the next generation of {@code flag} and makes the service serve it; returns the change, begun
   * before the write and completed after the service's re-read.
   *
   * @throws IllegalStateException if MongoDB cannot be written or read (the change stays incomplete, and so
   *     both generations stay true for the oracle; do not change flags while MongoDB is down)
   */
  public ValueOracle.Change change(String flag) {
    int next = generations.merge(flag, 1, Integer::sum);
    FlagDefinition definition = generation(flag, next);
    ValueOracle.Change change = oracle.beginChange(definition);
    definitions.replaceOne(new Document("_id", flag), toDocument(definition), new ReplaceOptions().upsert(true));
    if (!service.refreshNow()) {
      throw new IllegalStateException("the flags service could not re-read the definitions after changing " + flag);
    }
    change.complete();
    return change;
  }

  /** The MongoDB document of a definition, in the layout the Mongo store and the flags service read. */
  public static Document toDocument(FlagDefinition definition) {
    Document doc = new Document("_id", definition.key())
        .append("type", definition.defaultValue().type().name().toLowerCase(java.util.Locale.ROOT))
        .append("value", plain(definition.defaultValue()));
    if (!definition.overrides().isEmpty()) {
      List<Document> overrides = new ArrayList<>();
      definition.overrides().forEach((entity, value) ->
          overrides.add(new Document("entity", entity).append("value", plain(value))));
      doc.append("overrides", overrides);
    }
    Rollout rollout = definition.rollout();
    if (rollout != null) {
      doc.append("rollout", new Document("percentage", rollout.percentage()).append("value", plain(rollout.value())));
    }
    return doc;
  }

  private static Object plain(FlagValue value) {
    switch (value.type()) {
      case BOOLEAN:
        return value.booleanValue();
      case STRING:
        return value.stringValue();
      case LONG:
        return value.longValue();
      case DOUBLE:
        return value.doubleValue();
      default:
        throw new IllegalArgumentException("only scalar values are written here, not " + value.type());
    }
  }
}
