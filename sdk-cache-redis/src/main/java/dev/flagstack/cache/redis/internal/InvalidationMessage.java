package dev.flagstack.cache.redis.internal;

/**
 * Pub/sub invalidation messages, version 1:
 * <ul>
 *   <li>{@code 1|*}: drop everything;
 *   <li>{@code 1|F|<n>:<entity><flag>}: drop one flag, {@code n} being the entity's length in UTF-16 chars
 *       (so either id may contain any character) and the flag the non-empty rest.
 * </ul>
 * Anything else is garbage: {@link #parse} returns null.
 */
public final class InvalidationMessage {
  /** The "drop everything" message. */
  public static final String ALL = "1|*";
  /** The parsed "drop everything" message. */
  public static final InvalidationMessage EVERYTHING = new InvalidationMessage(null, null);

  private final String entity;
  private final String flag;

  private InvalidationMessage(String entity, String flag) {
    this.entity = entity;
    this.flag = flag;
  }

  /** The message dropping one flag. */
  public static String one(String entity, String flag) {
    return "1|F|" + entity.length() + ':' + entity + flag;
  }

  /** The message, or null for garbage. */
  public static InvalidationMessage parse(String message) {
    if (message == null) {
      return null;
    }
    if (message.equals(ALL)) {
      return EVERYTHING;
    }
    if (!message.startsWith("1|F|")) {
      return null;
    }
    int colon = message.indexOf(':', 4);
    if (colon < 5 || colon > 14) {
      return null;
    }
    int length;
    try {
      length = Integer.parseInt(message.substring(4, colon));
    } catch (NumberFormatException e) {
      return null;
    }
    long entityEnd = (long) colon + 1 + length;
    if (length < 1 || entityEnd >= message.length() || !Character.isDigit(message.charAt(4))) {
      return null;
    }
    int end = (int) entityEnd;
    return new InvalidationMessage(message.substring(colon + 1, end), message.substring(end));
  }

  /** Whether this drops everything. */
  public boolean isAll() {
    return entity == null;
  }

  /** The entity, or null for {@link #isAll()}. */
  public String entity() {
    return entity;
  }

  /** The flag, or null for {@link #isAll()}. */
  public String flag() {
    return flag;
  }
}
