/**
 * A shared cache tier over Redis for people adding Redis below their in-process cache:
 * {@link dev.flagstack.cache.redis.RedisFlagCache}. Parameters and return values are non-null unless a
 * method says otherwise.
 */
package dev.flagstack.cache.redis;
