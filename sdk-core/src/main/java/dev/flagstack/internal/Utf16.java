package dev.flagstack.internal;

/**
 * The one place that decides whether UTF-16 text is well formed. A lone surrogate has no UTF-8 form:
 * encoders silently replace it (Lettuce writes {@code ?}), so text that holds one would come back from a
 * cache or a store as another string. Ids and flag values refuse such text up front instead.
 */
public final class Utf16 {
  private Utf16() {}

  /**
   * Whether the surrogate at {@code index} of {@code s} is the high half of a pair whose low half follows.
   * Callers that scan text themselves call this at each {@link Character#isSurrogate surrogate} and skip
   * the low half when it returns true.
   */
  public static boolean isPairAt(CharSequence s, int index) {
    return Character.isHighSurrogate(s.charAt(index))
        && index + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(index + 1));
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1 if {@code s} is well-formed UTF-16. */
  public static int firstUnpairedSurrogate(CharSequence s) {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        if (!isPairAt(s, i)) {
          return i;
        }
        i++;
      }
    }
    return -1;
  }
}
