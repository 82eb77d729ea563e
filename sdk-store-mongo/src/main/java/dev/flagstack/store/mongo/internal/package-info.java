/** Implementation details of the MongoDB store; not an API, may change in any release. */
package dev.flagstack.store.mongo.internal;
