package dev.flagstack.store.rest;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.rest.internal.ChangePoller;
import dev.flagstack.store.rest.internal.Endpoints;
import dev.flagstack.store.rest.internal.HeaderRules;
import dev.flagstack.store.rest.internal.HttpClients;
import dev.flagstack.store.rest.internal.OfrepCalls;
import dev.flagstack.store.rest.internal.OfrepJson;
import dev.flagstack.store.rest.internal.RateLimitGate;
import dev.flagstack.store.rest.internal.ReplyReader;
import dev.flagstack.store.rest.internal.SettingChecks;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary {@link FlagStore} over REST: it speaks OFREP, the OpenFeature Remote Evaluation Protocol,
 * so it works against flagd, the GO Feature Flag relay proxy, Flipt, ConfigCat Proxy or any other OFREP
 * server, as well as ours.
 *
 * <pre>{@code
 * RestFlagStore store = RestFlagStore.builder()
 *     .baseUrl("https://flags.internal:8016")
 *     .bearerToken(System.getenv("FLAGS_TOKEN"))   // or apiKey(...), or neither
 *     .build();
 * }</pre>
 *
 * <h2>Calls</h2>
 * A batch of one flag is one {@code POST {baseUrl}/ofrep/v1/evaluate/flags/{key}}, the key
 * percent-encoded as a single path segment; a larger batch is one bulk
 * {@code POST {baseUrl}/ofrep/v1/evaluate/flags}, which answers every flag the server has and from which
 * the requested ones are taken (so {@link Builder#maxResponseBytes} must fit the server's whole flag set).
 * The keys {@code .} and {@code ..}, which no URL path can carry, also go through the bulk call. The body
 * is {@code {"context":{"targetingKey":"<entity>"}}}. Reads send no {@code If-None-Match}: caching is the
 * client's job.
 *
 * <h2>How replies are classified</h2>
 * As the module README's table says in full. 200 with a {@code value}: that value; 200 without one, or
 * {@code FLAG_NOT_FOUND} (a 404, or a bulk item): absent, so the caller's default applies. 400 and other
 * 4xx, or a bulk item with another error code: {@link StoreException#invalidRequest}, never tripping the
 * breaker. 401, 403, 405, and 404 without an OFREP body: {@link StoreException#rejected}, logged once at
 * ERROR. 429: transient, and no call before the {@code Retry-After} time (at most
 * {@link Builder#maxRetryAfter}, {@link Builder#DEFAULT_RETRY_AFTER} when absent). 5xx, 408, other
 * statuses, {@code PROVIDER_NOT_READY}/{@code PROVIDER_FATAL} items, I/O errors, timeouts, and a body that
 * is not OFREP JSON or is over {@link Builder#maxResponseBytes}: transient.
 *
 * <h2>Change notices</h2>
 * {@link #watchChanges} polls the bulk endpoint every {@link Builder#changePollInterval} for one probe
 * context with {@code If-None-Match}, and reports the flags whose result differs from the previous poll;
 * a new ETag with no such difference, or the first success after a failed poll, reports every flag. A
 * change is reported at most {@code changePollInterval + 2 x callTimeout} after the server makes it.
 *
 * <h2>Threads, time, secrets, lifecycle</h2>
 * {@link #getFlags} never blocks: it enqueues the call and the stage completes on an OkHttp dispatcher
 * thread. OkHttp's {@code callTimeout} is the store's {@link #callTimeout()}, so it bounds the whole
 * exchange including the body. Tokens and header values never appear in logs, exceptions or
 * {@link #toString()}; the base URL cannot hold credentials (user info is refused). Thread-safe and
 * immutable. {@link #close()} stops change polling, cancels the calls in flight (their stages fail
 * transiently) and, only for a client this store built, stops its threads and drops its connections.
 * An {@link OkHttpClient} you pass in is shared, never closed. Idempotent.
 */
public final class RestFlagStore implements FlagStore, FlagChangeSource {
  private static final Logger log = LoggerFactory.getLogger(RestFlagStore.class);

  private final String name;
  private final Duration callTimeout;
  private final OkHttpClient http;
  private final boolean ownsClient;
  private final OfrepCalls calls;
  private final ChangePoller poller;
  private final String description;
  private volatile boolean closed;

  private RestFlagStore(Builder b) {
    this.name = b.name;
    this.callTimeout = b.callTimeout;
    this.ownsClient = b.client == null;
    this.http = ownsClient ? HttpClients.own(name, callTimeout, b.maxConcurrentCalls)
        : HttpClients.derived(b.client, callTimeout);
    OfrepJson json = new OfrepJson(b.maxResponseBytes);
    RateLimitGate gate = new RateLimitGate(b.clock);
    ReplyReader reader = new ReplyReader(name, json, b.maxResponseBytes, gate, Builder.DEFAULT_RETRY_AFTER,
        b.maxRetryAfter);
    this.calls = new OfrepCalls(name, http, b.endpoints, b.headers.build(), json, reader, gate,
        b.maxConcurrentCalls);
    this.poller = new ChangePoller(name, http, b.endpoints.bulk(), b.headers.build(),
        json.request(b.changeProbeTargetingKey), reader, gate, b.changePollInterval);
    this.description = "RestFlagStore{name=" + name + ", baseUrl=" + b.endpoints + ", headers=" + b.headerNames
        + ", callTimeout=" + callTimeout.toMillis() + " ms, maxResponseBytes=" + b.maxResponseBytes
        + ", maxConcurrentCalls=" + b.maxConcurrentCalls + ", changePollInterval="
        + b.changePollInterval.toMillis() + " ms, ownsClient=" + ownsClient + '}';
    log.debug("created {}", description);
  }

  /** A builder with every default; {@link Builder#baseUrl} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The call timeout, {@link Builder#DEFAULT_CALL_TIMEOUT} (5 s, the seed's REST timeout) unless set. */
  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Evaluates {@code flags} for {@code entity} with one HTTP call. The stage fails with a
   * {@link StoreException}, classified as the type documentation says.
   */
  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(flags, "flags");
    if (flags.isEmpty()) {
      throw new IllegalArgumentException("flags must not be empty");
    }
    return calls.evaluate(entity, flags);
  }

  /**
   * Polls for flag changes on the store's own daemon thread (one loop for every watch) and returns at once;
   * the first poll is the baseline. With a zero {@link Builder#changePollInterval}, or a closed store, the
   * handle is inert. Closing it stops this watch (idempotent).
   */
  @Override
  public AutoCloseable watchChanges(FlagChangeListener listener) {
    return poller.watch(listener);
  }

  /** Stops every change watch, cancels the calls in flight and releases what the store built. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    poller.close();
    calls.close();
    if (ownsClient) {
      HttpClients.release(http);
    }
  }

  /** Name, base URL, header names (never values), limits; never a token. */
  @Override
  public String toString() {
    return description;
  }

  /**
   * Builds a {@link RestFlagStore}. {@link #baseUrl} is required. Setters validate at once and name the
   * option and the bad value (never a secret); setting an option twice is an {@link IllegalStateException}.
   * Not thread-safe.
   */
  public static final class Builder {
    /** The store's name in logs, events and errors: {@value}. */
    public static final String DEFAULT_NAME = "rest";
    /** The call timeout: 5 s, the seed's REST timeout; OkHttp's own default is none. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The largest reply read: {@value} bytes (1 MiB); a larger or endless body is a transient failure. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
    /** Calls in flight at once before more fail at once, transiently: {@value}. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 64;
    /** The longest pause a 429's Retry-After can impose: 10 min. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(10);
    /** The pause after a 429 whose Retry-After is missing or unreadable: 1 s. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    /** How often the store polls for flag changes: 1 s. */
    public static final Duration DEFAULT_CHANGE_POLL_INTERVAL = Duration.ofSeconds(1);
    /** The targetingKey of the change polls' context: {@value}. */
    public static final String DEFAULT_CHANGE_PROBE_TARGETING_KEY = "flagstack-change-probe";
    /** The header {@link #apiKey(String)} sets: {@value}, as OFREP defines. */
    public static final String DEFAULT_API_KEY_HEADER = "X-API-Key";

    private String name;
    private Endpoints endpoints;
    private OkHttpClient client;
    private Duration callTimeout;
    private long maxResponseBytes;
    private int maxConcurrentCalls;
    private Duration maxRetryAfter;
    private Clock clock;
    private Duration changePollInterval;
    private String changeProbeTargetingKey;
    private final Headers.Builder headers = new Headers.Builder();
    private final List<String> headerNames = new ArrayList<>();

    private Builder() {}

    /** The store's name; default {@value #DEFAULT_NAME}. */
    public Builder name(String name) {
      checkUnset("name", this.name, name);
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The OFREP server's base URL, such as {@code http://flagd:8016} or {@code https://flags.example/api/};
     * {@code /ofrep/v1/...} is appended. Must be http or https, without user info, query or fragment.
     *
     * @throws IllegalArgumentException naming the problem; the URL itself is never repeated
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (endpoints != null) {
        throw new IllegalStateException("baseUrl was already set to " + endpoints);
      }
      this.endpoints = Endpoints.of(baseUrl);
      return this;
    }

    /**
     * Uses the application's client, derived with {@code newBuilder()} so connection pool and threads are
     * shared; only the call timeout is changed. The store never closes it.
     */
    public Builder client(OkHttpClient client) {
      Objects.requireNonNull(client, "client");
      if (this.client != null) {
        throw new IllegalStateException("client was already set");
      }
      this.client = client;
      return this;
    }

    /** Sends {@code Authorization: Bearer <token>}. The token is never logged or shown. */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "bearerToken");
      return secretHeader("Authorization", "Bearer " + HeaderRules.value("bearerToken", token), "bearerToken");
    }

    /** Sends the key in the {@value #DEFAULT_API_KEY_HEADER} header. The key is never logged or shown. */
    public Builder apiKey(String key) {
      return apiKey(DEFAULT_API_KEY_HEADER, key);
    }

    /** Sends the key in the header {@code headerName}. The key is never logged or shown. */
    public Builder apiKey(String headerName, String key) {
      Objects.requireNonNull(headerName, "apiKey header name");
      Objects.requireNonNull(key, "apiKey");
      return secretHeader(HeaderRules.name("apiKey header name", headerName), HeaderRules.value("apiKey", key),
          "apiKey");
    }

    /**
     * Sends one more header on every call (a tenant, a routing hint). Its value is treated as a secret:
     * never logged or shown.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      return secretHeader(HeaderRules.name("header name", name), HeaderRules.value("header '" + name + "'", value),
          "header");
    }

    /**
     * The deadline of a whole call (connect, send, wait, read the body), set as OkHttp's
     * {@code callTimeout}; default 5 s ({@link #DEFAULT_CALL_TIMEOUT}).
     */
    public Builder callTimeout(Duration timeout) {
      checkUnset("callTimeout", this.callTimeout, timeout);
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("callTimeout must be positive and at most 10 minutes, was " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /** The largest reply read, 1 KiB to 256 MiB; default {@value #DEFAULT_MAX_RESPONSE_BYTES} bytes. */
    public Builder maxResponseBytes(long bytes) {
      if (this.maxResponseBytes != 0) {
        throw new IllegalStateException("maxResponseBytes was already set to " + this.maxResponseBytes);
      }
      this.maxResponseBytes = SettingChecks.range("maxResponseBytes", bytes, 1024, 256L * 1024 * 1024);
      return this;
    }

    /** Calls in flight at once, 1 to 10,000; default {@value #DEFAULT_MAX_CONCURRENT_CALLS}. */
    public Builder maxConcurrentCalls(int calls) {
      if (this.maxConcurrentCalls != 0) {
        throw new IllegalStateException("maxConcurrentCalls was already set to " + this.maxConcurrentCalls);
      }
      this.maxConcurrentCalls = (int) SettingChecks.range("maxConcurrentCalls", calls, 1, 10_000);
      return this;
    }

    /**
     * The longest pause a 429's {@code Retry-After} can impose, so a wrong header cannot silence the
     * store for days; default 10 min ({@link #DEFAULT_MAX_RETRY_AFTER}).
     */
    public Builder maxRetryAfter(Duration max) {
      checkUnset("maxRetryAfter", this.maxRetryAfter, max);
      if (max.isNegative() || max.isZero()) {
        throw new IllegalArgumentException("maxRetryAfter must be positive, was " + max);
      }
      this.maxRetryAfter = max;
      return this;
    }

    /** The clock that 429 pauses are measured by; default the system UTC clock. Tests inject one. */
    public Builder clock(Clock clock) {
      checkUnset("clock", this.clock, clock);
      this.clock = clock;
      return this;
    }

    /**
     * How often {@link RestFlagStore#watchChanges} polls the bulk endpoint, 10 ms to 10 min, or
     * {@link Duration#ZERO} to never poll; default 1 s ({@link #DEFAULT_CHANGE_POLL_INTERVAL}). A change
     * is reported at most this plus twice the call timeout after the server makes it. Real time, not the
     * {@link #clock}.
     */
    public Builder changePollInterval(Duration interval) {
      checkUnset("changePollInterval", this.changePollInterval, interval);
      this.changePollInterval = SettingChecks.duration("changePollInterval", interval, Duration.ofMillis(10),
          Duration.ofMinutes(10), "no polling");
      return this;
    }

    /**
     * The targetingKey of the one context change polls evaluate (per-flag differences are seen for it
     * only); default {@value #DEFAULT_CHANGE_PROBE_TARGETING_KEY}. 1 to 256 characters, not blank, no
     * control characters or unpaired surrogates.
     */
    public Builder changeProbeTargetingKey(String key) {
      checkUnset("changeProbeTargetingKey", this.changeProbeTargetingKey, key);
      this.changeProbeTargetingKey = SettingChecks.targetingKey("changeProbeTargetingKey", key);
      return this;
    }

    /**
     * The store. Building makes no call; a store with its own client creates its dispatcher now.
     *
     * @throws IllegalStateException if baseUrl was not set
     */
    public RestFlagStore build() {
      if (endpoints == null) {
        throw new IllegalStateException("baseUrl(...) must be set");
      }
      Builder b = new Builder();
      b.name = name != null ? name : DEFAULT_NAME;
      b.endpoints = endpoints;
      b.client = client;
      b.callTimeout = callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT;
      b.maxResponseBytes = maxResponseBytes != 0 ? maxResponseBytes : DEFAULT_MAX_RESPONSE_BYTES;
      b.maxConcurrentCalls = maxConcurrentCalls != 0 ? maxConcurrentCalls : DEFAULT_MAX_CONCURRENT_CALLS;
      b.maxRetryAfter = maxRetryAfter != null ? maxRetryAfter : DEFAULT_MAX_RETRY_AFTER;
      b.clock = clock != null ? clock : Clock.systemUTC();
      b.changePollInterval = changePollInterval != null ? changePollInterval : DEFAULT_CHANGE_POLL_INTERVAL;
      b.changeProbeTargetingKey =
          Objects.requireNonNullElse(changeProbeTargetingKey, DEFAULT_CHANGE_PROBE_TARGETING_KEY);
      b.headers.addAll(headers.build());
      b.headerNames.addAll(headerNames);
      return new RestFlagStore(b);
    }

    /** Never shows a token, key or header value. */
    @Override
    public String toString() {
      return "RestFlagStore.Builder{baseUrl=" + (endpoints == null ? "unset" : endpoints) + ", headers="
          + headerNames + '}';
    }

    private Builder secretHeader(String header, String value, String option) {
      HeaderRules.checkNotSet(option, header, headerNames);
      headers.add(header, value);
      headerNames.add(header);
      return this;
    }

    private static void checkUnset(String option, Object current, Object value) {
      Objects.requireNonNull(value, option);
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
