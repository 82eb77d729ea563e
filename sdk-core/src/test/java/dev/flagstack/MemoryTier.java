package dev.flagstack;

import dev.flagstack.spi.LocalFlagCache;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A minimal in-process tier for the core's own tests (the real one lives in sdk-cache-memory). */
class MemoryTier implements LocalFlagCache {
  private final Map<String, FlagValue> values = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public FlagValue getIfPresent(String entity, String flag) {
    return values.get(entity + "\u0000" + flag);
  }

  @Override
  public void put(String entity, String flag, FlagValue value) {
    values.put(entity + "\u0000" + flag, value);
  }

  @Override
  public void invalidate(String entity, String flag) {
    values.remove(entity + "\u0000" + flag);
  }

  @Override
  public void invalidateAll() {
    values.clear();
  }

  /** Drops the flags for every entity, as a real in-process tier does. */
  @Override
  public void flagsChanged(java.util.Set<String> flags, long atMillis) {
    values.keySet().removeIf(key -> flags.contains(key.substring(key.indexOf('\u0000') + 1)));
  }

  @Override
  public void everythingChanged(long atMillis) {
    values.clear();
  }
}
