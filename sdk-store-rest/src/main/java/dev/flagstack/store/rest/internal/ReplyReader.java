package dev.flagstack.store.rest.internal;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an OFREP reply into the store's answer or a classified {@link StoreException}: this class is the
 * classification table of the module README, in code.
 */
public final class ReplyReader {
  private static final Logger log = LoggerFactory.getLogger("dev.flagstack.store.rest.RestFlagStore");
  /** Error bodies are short; reading more of them is pointless. */
  private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;

  private final String prefix;
  private final OfrepJson json;
  private final long maxBytes;
  private final RateLimitGate gate;
  private final Duration fallbackPause;
  private final Duration maxPause;
  private final ConfigAlarm alarm = new ConfigAlarm();

  public ReplyReader(String name, OfrepJson json, long maxBytes, RateLimitGate gate, Duration fallbackPause,
      Duration maxPause) {
    this.prefix = "rest store '" + name + "' ";
    this.json = json;
    this.maxBytes = maxBytes;
    this.gate = gate;
    this.fallbackPause = fallbackPause;
    this.maxPause = maxPause;
  }

  /** The answer to a single-flag call: {@code flag}'s value, or an empty map when it is absent. */
  public Map<String, FlagValue> single(Response response, String flag) throws IOException {
    int code = response.code();
    if (code == 200) {
      Evaluation e = json.readEvaluation(body(response, maxBytes));
      if (e.key != null && !e.key.equals(flag)) {
        throw new BadReplyException("the reply for flag '" + flag + "' is for flag '" + Texts.shorten(e.key) + "'");
      }
      alarm.clear();
      FlagValue value = value(e, flag);
      return value == null ? Map.of() : Map.of(flag, value);
    }
    if (code == 404 || code == 400) {
      Evaluation e = errorBody(response);
      if (e != null && "FLAG_NOT_FOUND".equals(e.errorCode)) {
        return Map.of();
      }
      if (code == 400) {
        throw invalid("flag '" + flag + "'", e);
      }
      throw configuration("answered HTTP 404 for flag '" + flag + "' without an OFREP FLAG_NOT_FOUND body: "
          + "is baseUrl the OFREP server?");
    }
    throw other(response, "flag '" + flag + "'", true);
  }

  /** The answer to a bulk call: the values of those {@code flags} the reply holds. */
  public Map<String, FlagValue> bulk(Response response, Set<String> flags) throws IOException {
    int code = response.code();
    if (code == 200) {
      Map<String, Evaluation> found = json.readBulk(body(response, maxBytes), flags);
      alarm.clear();
      Map<String, FlagValue> values = new HashMap<>(found.size() * 2);
      StoreException first = null;
      String firstFlag = null;
      for (Map.Entry<String, Evaluation> entry : found.entrySet()) {
        String flag = entry.getKey();
        try {
          FlagValue value = value(entry.getValue(), flag);
          if (value != null) {
            values.put(flag, value);
          }
        } catch (StoreException e) {
          // The first failing flag in key order decides, so the same reply always fails the same way.
          if (firstFlag == null || flag.compareTo(firstFlag) < 0) {
            first = e;
            firstFlag = flag;
          }
        }
      }
      if (first != null) {
        throw first;
      }
      return values;
    }
    String what = "a batch of " + flags.size() + " flags";
    if (code == 304) {
      throw new BadReplyException("answered 304 Not Modified to a request without If-None-Match");
    }
    if (code == 400) {
      throw invalid(what, errorBody(response));
    }
    if (code == 404) {
      throw configuration("answered HTTP 404 to a bulk evaluation: the server does not support bulk "
          + "evaluation or baseUrl is not the OFREP server");
    }
    throw other(response, what, true);
  }

  /**
   * The answer to a change poll: {@link PollReply#NOT_MODIFIED} for a 304 to a poll that sent
   * If-None-Match ({@code conditional}), or every flag's evaluation and the ETag for a 200. Anything else
   * fails as a read would (a 429 closes the store's gate), except that configuration problems do not
   * raise the reads' ERROR alarm and a success does not re-arm it: the poller logs for itself.
   */
  public PollReply poll(Response response, boolean conditional) throws IOException {
    int code = response.code();
    if (code == 304 && conditional) {
      return PollReply.NOT_MODIFIED;
    }
    if (code == 200) {
      return PollReply.of(json.readAllFlags(body(response, maxBytes)), response.header("ETag"));
    }
    String what = "the change poll";
    if (code == 304) {
      throw new BadReplyException("answered 304 Not Modified to a change poll without If-None-Match");
    }
    if (code == 400) {
      throw invalid(what, errorBody(response));
    }
    if (code == 404) {
      throw StoreException.rejected(prefix + "answered HTTP 404 to " + what + " (a bulk evaluation): the server "
          + "does not support bulk evaluation or baseUrl is not the OFREP server", null);
    }
    throw other(response, what, false);
  }

  /** One flag's evaluation: its value, null when absent, or the failure its error code means. */
  private FlagValue value(Evaluation e, String flag) {
    if (!e.failed()) {
      return e.value;
    }
    switch (e.errorCode) {
      case "FLAG_NOT_FOUND":
        return null;
      case "PROVIDER_NOT_READY":
      case "PROVIDER_FATAL":
        throw StoreException.transientFailure(prefix + "could not evaluate flag '" + flag + "': the server reported "
            + e.errorCode + details(e), null);
      default:
        throw StoreException.invalidRequest(prefix + "could not evaluate flag '" + flag + "': the server reported "
            + Texts.shorten(e.errorCode) + details(e));
    }
  }

  /** {@code alarm}: whether a configuration problem raises the reads' once-at-ERROR alarm. */
  private StoreException other(Response response, String what, boolean alarm) {
    int code = response.code();
    if (code == 401 || code == 403) {
      return configuration("was refused with HTTP " + code + " for " + what
          + ": credentials (bearerToken / apiKey) missing or not accepted", alarm);
    }
    if (code == 405) {
      return configuration("answered HTTP 405 for " + what + ": is baseUrl the OFREP server?", alarm);
    }
    if (code == 429) {
      Instant now = gate.now();
      Instant until = RetryAfter.until(response.header("Retry-After"), now, fallbackPause, maxPause);
      if (gate.closeUntil(until)) {
        log.warn("{}was rate limited (HTTP 429): no calls for {} ms, until {}", prefix,
            Duration.between(now, until).toMillis(), until);
      }
      return StoreException.transientFailure(prefix + "was rate limited (HTTP 429) for " + what
          + ": no calls before " + until, null);
    }
    if (code >= 400 && code < 500 && code != 408) {
      return StoreException.invalidRequest(prefix + "answered HTTP " + code + " for " + what);
    }
    return StoreException.transientFailure(prefix + "answered HTTP " + code + " for " + what, null);
  }

  private StoreException invalid(String what, Evaluation e) {
    String code = e == null || e.errorCode == null ? "no error code" : Texts.shorten(e.errorCode);
    return StoreException.invalidRequest(prefix + "refused the request for " + what + " (HTTP 400, " + code + ")"
        + (e == null ? "" : details(e)));
  }

  private StoreException configuration(String problem) {
    return configuration(problem, true);
  }

  private StoreException configuration(String problem, boolean raise) {
    String message = prefix + problem;
    if (raise) {
      alarm.raise(log, message);
    }
    return StoreException.rejected(message, null);
  }

  private static String details(Evaluation e) {
    return e.errorDetails == null ? "" : ": " + e.errorDetails;
  }

  /** The error body's fields, or null when it is absent, too long or not OFREP JSON. */
  private Evaluation errorBody(Response response) {
    try {
      return json.readErrorBody(body(response, MAX_ERROR_BODY_BYTES));
    } catch (IOException e) {
      return null;
    }
  }

  private static InputStream body(Response response, long limit) throws IOException {
    ResponseBody body = response.body();
    if (body.contentLength() > limit) {
      throw BoundedInputStream.tooLarge(limit);
    }
    return new BoundedInputStream(body.byteStream(), limit);
  }
}
