package dev.flagstack.spi;

import java.util.Set;

/**
 * Receives change notices from a {@link FlagChangeSource}. The client implements it: it drops the named
 * flags, for every entity, from every cache tier, in a way no load already in flight can undo.
 *
 * <p>Methods are called on the source's own thread, must be fast, and never throw back into the source.
 */
public interface FlagChangeListener {
  /** The definitions of {@code flags} changed: their values may differ for any entity. */
  void flagsChanged(Set<String> flags);

  /**
   * Anything may have changed: the source (re)connected, or saw a gap in its notices, and cannot say which
   * flags changed meanwhile.
   */
  void everythingChanged();
}
