package dev.flagstack.spi;

/** Evicts entries from a group of cache tiers; handed to a tier by {@link FlagCache#bind}. */
public interface CacheInvalidator {
  /** Drops one entity's flag. */
  void invalidate(String entity, String flag);

  /** Drops everything. */
  void invalidateAll();
}
