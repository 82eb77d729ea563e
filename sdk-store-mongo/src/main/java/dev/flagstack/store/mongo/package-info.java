/**
 * A read-only flag store over MongoDB: {@link dev.flagstack.store.mongo.MongoFlagStore}, usable as the
 * primary or the secondary store. Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack.store.mongo;
