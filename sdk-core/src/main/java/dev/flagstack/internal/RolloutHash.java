package dev.flagstack.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The rollout bucket of an entity for a flag, as specified in {@link dev.flagstack.FlagDefinition}:
 * SHA-256 over {@code UTF-8(flagKey) || 0x00 || UTF-8(entity)}, the first 8 bytes read as an unsigned
 * big-endian integer, modulo {@value #BUCKETS}.
 */
public final class RolloutHash {
  /** Buckets per flag: one per basis point. */
  public static final int BUCKETS = 10_000;

  private RolloutHash() {}

  /** The bucket of {@code entity} for {@code flagKey}, in {@code [0, BUCKETS)}. */
  public static int bucket(String flagKey, String entity) {
    MessageDigest sha256;
    try {
      // A fresh digest per call: MessageDigest is not thread-safe and getInstance is cheap.
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
    sha256.update(flagKey.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    byte[] digest = sha256.digest(entity.getBytes(StandardCharsets.UTF_8));
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (digest[i] & 0xFF);
    }
    return (int) Long.remainderUnsigned(prefix, BUCKETS);
  }
}
