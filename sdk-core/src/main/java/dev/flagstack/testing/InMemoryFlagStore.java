package dev.flagstack.testing;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FlagStore} held in memory, for tests: fill it with values, then make it fail on cue with
 * {@link #failTransiently()}, {@link #failNonTransiently()}, {@link #hang()} or {@link #answerAfter}.
 * It counts its calls and the most calls it had in flight at once. Thread-safe.
 */
public final class InMemoryFlagStore implements FlagStore {
  private enum Mode { ANSWER, TRANSIENT, NON_TRANSIENT, HANG }

  private final String name;
  private final Duration callTimeout;
  private final Map<String, FlagValue> defaults = new ConcurrentHashMap<>();
  private final Map<String, Map<String, FlagValue>> perEntity = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Mode mode = Mode.ANSWER;
  private volatile Duration delay = Duration.ZERO;
  private volatile ScheduledExecutorService timer;
  private volatile boolean closed;

  /** A store named {@code name} with the default 1 s call timeout. */
  public InMemoryFlagStore(String name) {
    this(name, DEFAULT_CALL_TIMEOUT);
  }

  /** A store named {@code name} whose calls time out after {@code callTimeout}. */
  public InMemoryFlagStore(String name, Duration callTimeout) {
    this.name = Objects.requireNonNull(name, "name");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  /** Sets the value of {@code flag} for every entity without an override. */
  public InMemoryFlagStore put(String flag, FlagValue value) {
    defaults.put(flag, value);
    return this;
  }

  /** Sets the value of {@code flag} for one entity. */
  public InMemoryFlagStore put(String entity, String flag, FlagValue value) {
    perEntity.computeIfAbsent(entity, e -> new ConcurrentHashMap<>()).put(flag, value);
    return this;
  }

  /** Forgets {@code flag} everywhere. */
  public InMemoryFlagStore remove(String flag) {
    defaults.remove(flag);
    perEntity.values().forEach(m -> m.remove(flag));
    return this;
  }

  /** Answers normally (the default). Clears any delay. */
  public InMemoryFlagStore answer() {
    this.delay = Duration.ZERO;
    this.mode = Mode.ANSWER;
    return this;
  }

  /** Answers normally, after {@code delay}. */
  public InMemoryFlagStore answerAfter(Duration delay) {
    this.delay = Objects.requireNonNull(delay, "delay");
    this.mode = Mode.ANSWER;
    return this;
  }

  /** Fails every call with a transient {@link StoreException}, as a store that is down would. */
  public InMemoryFlagStore failTransiently() {
    this.mode = Mode.TRANSIENT;
    return this;
  }

  /** Fails every call with a non-transient {@link StoreException}, as a store refusing the request would. */
  public InMemoryFlagStore failNonTransiently() {
    this.mode = Mode.NON_TRANSIENT;
    return this;
  }

  /** Accepts every call and never answers, as a server that stopped responding would. */
  public InMemoryFlagStore hang() {
    this.mode = Mode.HANG;
    return this;
  }

  /** Calls received so far. */
  public int calls() {
    return calls.get();
  }

  /** The most calls that were in flight at once. */
  public int maxConcurrentCalls() {
    return maxInFlight.get();
  }

  /** Resets the call counters. */
  public void resetCounters() {
    calls.set(0);
    maxInFlight.set(0);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    calls.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    CompletableFuture<Map<String, FlagValue>> result = new CompletableFuture<>();
    Mode m = mode;
    Duration d = delay;
    if (m == Mode.HANG) {
      // Never completes; the in-flight count stays up, as it would on a real hung server.
      return result;
    }
    Runnable answer = () -> {
      inFlight.decrementAndGet();
      switch (m) {
        case TRANSIENT:
          result.completeExceptionally(StoreException.transientFailure(name + " is unavailable", null));
          break;
        case NON_TRANSIENT:
          result.completeExceptionally(StoreException.invalidRequest(name + " rejected the request"));
          break;
        default:
          result.complete(lookup(entity, flags));
      }
    };
    if (d.isZero()) {
      answer.run();
    } else {
      timer().schedule(answer, d.toNanos(), TimeUnit.NANOSECONDS);
    }
    return result;
  }

  private Map<String, FlagValue> lookup(String entity, Set<String> flags) {
    Map<String, FlagValue> overrides = perEntity.getOrDefault(entity, Map.of());
    Map<String, FlagValue> found = new HashMap<>();
    for (String flag : flags) {
      FlagValue v = overrides.get(flag);
      if (v == null) {
        v = defaults.get(flag);
      }
      if (v != null) {
        found.put(flag, v);
      }
    }
    return found;
  }

  private ScheduledExecutorService timer() {
    ScheduledExecutorService t = timer;
    if (t == null) {
      synchronized (this) {
        if (timer == null) {
          timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "in-memory-store-" + name);
            thread.setDaemon(true);
            return thread;
          });
        }
        t = timer;
      }
    }
    return t;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    ScheduledExecutorService t = timer;
    if (t != null) {
      t.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "InMemoryFlagStore{" + name + '}';
  }
}
