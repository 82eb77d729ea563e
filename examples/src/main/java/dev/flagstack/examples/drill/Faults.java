package dev.flagstack.examples.drill;

import dev.flagstack.examples.reference.ReferenceFlagService;
import dev.flagstack.testservers.MongoServerExtension;
import dev.flagstack.testservers.RedisServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Breaks and heals the real servers behind the clients, and remembers when each fault began and ended
 * ({@link System#nanoTime()}), so that what readers saw can be judged against what was broken.
 *
 * <ul>
 *   <li>Redis, a local {@code redis-server} process: paused with SIGSTOP (a cache that does not answer,
 *       "cache slow") or killed with SIGKILL and restarted empty on the same port ("cache down").
 *   <li>The primary, the reference flags service in this JVM: slowed (every reply late by more than the
 *       client's timeout, "primary slow") or stopped (its sockets closed, "primary down") and started again
 *       on the same ports.
 *   <li>MongoDB, the in-JVM server: stopped (connections dropped and refused) and restarted with its data.
 *       It cannot be paused: it lives in this JVM.
 * </ul>
 */
public final class Faults {
  /** One way a layer can be broken. */
  public enum Fault {
    REDIS_PAUSED("Redis paused (SIGSTOP)"),
    REDIS_KILLED("Redis killed (SIGKILL)"),
    PRIMARY_SLOW("primary slow"),
    PRIMARY_STOPPED("primary stopped"),
    MONGO_STOPPED("MongoDB stopped");

    private final String label;

    Fault(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** A fault's time span; {@code endNanos} is {@link Long#MAX_VALUE} while it lasts. */
  public static final class Span {
    public final Fault fault;
    public final long startNanos;
    volatile long endNanos = Long.MAX_VALUE;

    Span(Fault fault, long startNanos) {
      this.fault = fault;
      this.startNanos = startNanos;
    }

    public long endNanos() {
      return endNanos;
    }
  }

  private final RedisServerExtension redis;
  private final MongoServerExtension mongo;
  private final ReferenceFlagService service;
  private final Duration slowDelay;
  private final Map<Fault, Span> active = new EnumMap<>(Fault.class);
  private final List<Span> history = new ArrayList<>();

  /** Controls these servers; a slowed primary answers {@code slowDelay} late. */
  public Faults(RedisServerExtension redis, MongoServerExtension mongo, ReferenceFlagService service,
      Duration slowDelay) {
    this.redis = redis;
    this.mongo = mongo;
    this.service = service;
    this.slowDelay = slowDelay;
  }

  /** Breaks what {@code fault} names; nothing if it is already broken that way. */
  public synchronized void inject(Fault fault) {
    if (active.containsKey(fault)) {
      return;
    }
    switch (fault) {
      case REDIS_PAUSED:
        redis.pause();
        break;
      case REDIS_KILLED:
        heal(Fault.REDIS_PAUSED);
        redis.kill();
        break;
      case PRIMARY_SLOW:
        service.delay(slowDelay);
        break;
      case PRIMARY_STOPPED:
        service.stop();
        break;
      case MONGO_STOPPED:
        mongo.stop();
        break;
      default:
        throw new AssertionError(fault);
    }
    Span span = new Span(fault, System.nanoTime());
    active.put(fault, span);
    history.add(span);
  }

  /** Undoes {@code fault}; nothing if it is not in force. */
  public synchronized void heal(Fault fault) {
    Span span = active.remove(fault);
    if (span == null) {
      return;
    }
    switch (fault) {
      case REDIS_PAUSED:
        redis.resume();
        break;
      case REDIS_KILLED:
        redis.restart();
        break;
      case PRIMARY_SLOW:
        service.delay(Duration.ZERO);
        break;
      case PRIMARY_STOPPED:
        try {
          service.start();
        } catch (IOException e) {
          throw new UncheckedIOException("could not start the flags service again", e);
        }
        break;
      case MONGO_STOPPED:
        mongo.restart();
        break;
      default:
        throw new AssertionError(fault);
    }
    span.endNanos = System.nanoTime();
  }

  /** Heals every fault in force. */
  public synchronized void healAll() {
    for (Fault fault : Fault.values()) {
      heal(fault);
    }
  }

  /** Whether {@code fault} is in force now. */
  public synchronized boolean isActive(Fault fault) {
    return active.containsKey(fault);
  }

  /** What is broken now, e.g. "Redis paused (SIGSTOP), MongoDB stopped", or "nothing". */
  public synchronized String describe() {
    if (active.isEmpty()) {
      return "nothing";
    }
    StringJoiner joiner = new StringJoiner(", ");
    active.keySet().forEach(f -> joiner.add(f.label()));
    return joiner.toString();
  }

  /** Every fault injected so far, in order, with its time span. */
  public synchronized List<Span> history() {
    return List.copyOf(history);
  }
}
