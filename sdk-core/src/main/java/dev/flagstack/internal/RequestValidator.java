package dev.flagstack.internal;

import dev.flagstack.InvalidFlagRequestException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Checks ids and batches before any layer is touched. */
public final class RequestValidator {
  /** Longest entity or flag id, in UTF-16 chars. */
  public static final int MAX_ID_LENGTH = 256;

  private final int maxBatchSize;

  public RequestValidator(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  /** Throws {@link InvalidFlagRequestException} naming the problem if {@code id} is not acceptable. */
  public static void checkId(String what, String id) {
    if (id == null) {
      throw new InvalidFlagRequestException(what + " must not be null");
    }
    int length = id.length();
    if (length == 0) {
      throw new InvalidFlagRequestException(what + " must not be empty");
    }
    if (length > MAX_ID_LENGTH) {
      throw new InvalidFlagRequestException(
          what + " is " + length + " characters long; the limit is " + MAX_ID_LENGTH);
    }
    boolean blank = true;
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        throw new InvalidFlagRequestException(what + " contains a control character (U+"
            + String.format("%04X", (int) c) + ") at index " + i);
      }
      if (Character.isSurrogate(c)) {
        if (!Utf16.isPairAt(id, i)) {
          throw new InvalidFlagRequestException(what + " contains an unpaired surrogate at index " + i);
        }
        i++;
        blank = false;
        continue;
      }
      if (!Character.isWhitespace(c)) {
        blank = false;
      }
    }
    if (blank) {
      throw new InvalidFlagRequestException(what + " must not be blank");
    }
  }

  /** Checks a batch and returns its distinct flags in order, unmodifiable. */
  public Set<String> checkBatch(String entity, Collection<String> flags) {
    checkId("entity", entity);
    if (flags == null) {
      throw new InvalidFlagRequestException("flags must not be null");
    }
    int size = flags.size();
    if (size > maxBatchSize) {
      throw new InvalidFlagRequestException(
          "batch has " + size + " flags; the limit is " + maxBatchSize);
    }
    Set<String> distinct = new LinkedHashSet<>(Math.max(4, size * 2));
    for (String flag : flags) {
      checkId("flag", flag);
      distinct.add(flag);
    }
    return Collections.unmodifiableSet(distinct);
  }
}
