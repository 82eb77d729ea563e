package dev.flagstack.store.mongo;

import com.mongodb.ReadPreference;

/** Reaches the provider's read-preference parsing for its test. */
final class MongoLayerProviderAccess {
  private MongoLayerProviderAccess() {}

  static ReadPreference readPreference(String name) {
    return dev.flagstack.store.mongo.internal.MongoLayerProvider.readPreference(name);
  }
}
