package dev.flagstack.internal;

/**
 * An (entity, flag) pair as a map key. Two fields, not a joined string, so that no two different pairs
 * can collide ({@code "a:b"+"c"} versus {@code "a"+"b:c"}).
 *
 * <p>Instances made by {@link #of} never change. {@link #lookup()} hands out a per-thread instance whose
 * fields are overwritten on each use, so the cache-hit path can probe a map without allocating. Such an
 * instance must only ever be passed to {@code get}-style calls, never stored.
 */
public final class FlagKey {
  private static final ThreadLocal<FlagKey> LOOKUP = ThreadLocal.withInitial(() -> new FlagKey(null, null));

  private String entity;
  private String flag;
  private int hash;

  private FlagKey(String entity, String flag) {
    set(entity, flag);
  }

  /** An immutable key, safe to store. */
  public static FlagKey of(String entity, String flag) {
    return new FlagKey(entity, flag);
  }

  /** This thread's reusable probe key, set to (entity, flag). Valid until the thread's next call. */
  public static FlagKey lookup(String entity, String flag) {
    return LOOKUP.get().set(entity, flag);
  }

  private FlagKey set(String entity, String flag) {
    this.entity = entity;
    this.flag = flag;
    this.hash = entity == null ? 0 : 31 * entity.hashCode() + flag.hashCode();
    return this;
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
