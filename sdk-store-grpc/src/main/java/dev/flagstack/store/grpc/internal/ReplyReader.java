package dev.flagstack.store.grpc.internal;

import dev.flagstack.FlagValue;
import dev.flagstack.store.grpc.ProtocolValues;
import dev.flagstack.store.grpc.v1.FlagResult;
import dev.flagstack.store.grpc.v1.GetFlagsResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code GetFlagsResponse} strictly. The protocol asks for exactly one result per requested key;
 * a reply that breaks it (a result with no outcome or no value kind, a key we did not ask for, a key
 * twice, a requested key left out) is refused whole, so no flag of the batch gets a wrong or a guessed
 * answer. A malformed reply is the server's fault and may pass with a fix or a rollback: the caller
 * treats it as transient and falls back.
 */
public final class ReplyReader {
  /** Longest key quoted in a message; a hostile reply may send any length. */
  private static final int MAX_QUOTED = 80;

  private ReplyReader() {}

  /** The values of the found flags. */
  public static Map<String, FlagValue> read(Set<String> requested, GetFlagsResponse response)
      throws MalformedReplyException {
    int count = response.getResultsCount();
    Map<String, FlagValue> values = new HashMap<>(Math.max(4, count * 2));
    Set<String> answered = new HashSet<>(Math.max(4, count * 2));
    for (int i = 0; i < count; i++) {
      FlagResult result = response.getResults(i);
      String key = result.getFlagKey();
      if (!requested.contains(key)) {
        throw new MalformedReplyException("results[" + i + "] is for flag " + quote(key) + ", which was not requested");
      }
      if (!answered.add(key)) {
        throw new MalformedReplyException("flag " + quote(key) + " has more than one result");
      }
      switch (result.getOutcomeCase()) {
        case VALUE:
          try {
            values.put(key, ProtocolValues.fromProto(result.getValue()));
          } catch (IllegalArgumentException e) {
            throw new MalformedReplyException("flag " + quote(key) + " has an invalid value: " + e.getMessage());
          }
          break;
        case NOT_FOUND:
          break;
        default:
          throw new MalformedReplyException("flag " + quote(key) + " has neither a value nor not_found");
      }
    }
    if (answered.size() != requested.size()) {
      for (String key : requested) {
        if (!answered.contains(key)) {
          throw new MalformedReplyException((requested.size() - answered.size()) + " requested flag(s) have no result, "
              + "the first " + quote(key));
        }
      }
    }
    return values;
  }

  /** {@code key} quoted for a message, shortened if long. */
  public static String quote(String key) {
    String shown = key.length() <= MAX_QUOTED ? key : key.substring(0, MAX_QUOTED) + "...(" + key.length() + " chars)";
    return "'" + shown + "'";
  }

  /** A reply that breaks the protocol; the message says how. */
  public static final class MalformedReplyException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedReplyException(String message) {
      super(message, null, false, false);
    }
  }
}
