package dev.flagstack.internal;

/**
 * An (entity, flag) pair as a map key. Two fields, not a joined string, so that no two different pairs
 * can collide ({@code "a:b"+"c"} versus {@code "a"+"b:c"}). Immutable.
 *
 * <p>The read hot path never builds one: the in-process tier is keyed by flag, then by entity, so a hit
 * looks up the two strings the caller already holds. Keys are for the paths that allocate anyway (loads
 * in flight, the secondary's cache, last-known-good).
 */
public final class FlagKey {
  private final String entity;
  private final String flag;
  private final int hash;

  private FlagKey(String entity, String flag) {
    this.entity = entity;
    this.flag = flag;
    this.hash = 31 * entity.hashCode() + flag.hashCode();
  }

  /** A key for (entity, flag); neither may be null. */
  public static FlagKey of(String entity, String flag) {
    return new FlagKey(entity, flag);
  }

  public String entity() {
    return entity;
  }

  public String flag() {
    return flag;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FlagKey)) {
      return false;
    }
    FlagKey that = (FlagKey) o;
    return hash == that.hash && entity.equals(that.entity) && flag.equals(that.flag);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return entity + "/" + flag;
  }
}
