package dev.flagstack.cache.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Maps (entity, flag) to a Redis key, injectively:
 *
 * <pre>{@code <prefix>:{<entity segment>}:<flag segment>}</pre>
 *
 * where a segment is {@code <n>:<id>} with {@code n} the id's length in UTF-16 chars, or, when that would
 * exceed {@link #MAX_ENTITY_SEGMENT_BYTES} / {@link #MAX_FLAG_SEGMENT_BYTES} UTF-8 bytes,
 * {@code #<sha-256 of the id's UTF-8, lower-case hex>}. A plain segment starts with a digit and a hashed one
 * with {@code #}, and the length prefix says exactly where the id ends, so two different pairs never share a
 * key (short of a SHA-256 collision) whatever characters the ids hold. The braces make the entity segment
 * a Redis Cluster hash tag: all flags of one entity live in one slot, so a batch is one MGET on one node.
 * A key is at most {@value #MAX_KEY_BYTES} bytes. Ids with unpaired surrogates have no key (they cannot be
 * encoded as UTF-8 without loss); the client never passes them.
 */
public final class KeyCodec {
  /** Longest prefix, in chars. */
  public static final int MAX_PREFIX_LENGTH = 64;
  /** Longest plain entity segment; longer ones are hashed. */
  public static final int MAX_ENTITY_SEGMENT_BYTES = 200;
  /** Longest plain flag segment; longer ones are hashed. */
  public static final int MAX_FLAG_SEGMENT_BYTES = 240;
  /** Longest key: the prefix, 4 separator bytes and both segments. */
  public static final int MAX_KEY_BYTES = MAX_PREFIX_LENGTH + 4 + MAX_ENTITY_SEGMENT_BYTES + MAX_FLAG_SEGMENT_BYTES;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final String head;
  private final String scanPattern;

  /** A codec for keys under {@code prefix}, which {@link #checkPrefix} accepted. */
  public KeyCodec(String prefix) {
    this.head = prefix + ":{";
    this.scanPattern = globEscape(prefix) + ":{*";
  }

  /**
   * Throws IllegalArgumentException unless {@code prefix} is 1 to {@value #MAX_PREFIX_LENGTH} printable
   * ASCII chars without braces (which would break the hash tag) or spaces.
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
      throw new IllegalArgumentException("prefix must be 1 to " + MAX_PREFIX_LENGTH + " chars, was "
          + (prefix == null ? "null" : "'" + prefix + "'"));
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '{' || c == '}') {
        throw new IllegalArgumentException(
            "prefix must be printable ASCII without spaces or braces, was '" + prefix + "'");
      }
    }
    return prefix;
  }

  /** The key of (entity, flag), or null if an id holds an unpaired surrogate. */
  public String key(String entity, String flag) {
    int entityBytes = utf8Length(entity);
    int flagBytes = utf8Length(flag);
    if (entityBytes < 0 || flagBytes < 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder(head.length() + entity.length() + flag.length() + 16).append(head);
    appendSegment(sb, entity, entityBytes, MAX_ENTITY_SEGMENT_BYTES);
    sb.append("}:");
    appendSegment(sb, flag, flagBytes, MAX_FLAG_SEGMENT_BYTES);
    return sb.toString();
  }

  /** A SCAN MATCH pattern for every key of this prefix (glob characters in the prefix escaped). */
  public String scanPattern() {
    return scanPattern;
  }

  private static void appendSegment(StringBuilder sb, String id, int bytes, int max) {
    String length = Integer.toString(id.length());
    if (length.length() + 1 + bytes <= max) {
      sb.append(length).append(':').append(id);
    } else {
      sb.append('#');
      byte[] digest = sha256(id.getBytes(StandardCharsets.UTF_8));
      for (byte b : digest) {
        sb.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
  }

  /** UTF-8 length of {@code s}, or -1 if it holds an unpaired surrogate. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return -1;
        }
        n += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return -1;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static String globEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
