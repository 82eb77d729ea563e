/** The in-process cache tier: {@link dev.flagstack.cache.memory.MemoryFlagCache}, over Caffeine. */
package dev.flagstack.cache.memory;
