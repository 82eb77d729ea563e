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
}
