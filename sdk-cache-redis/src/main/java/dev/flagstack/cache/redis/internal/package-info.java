/** Implementation details of the Redis tier (key and value formats, connections); not a public API. */
package dev.flagstack.cache.redis.internal;
