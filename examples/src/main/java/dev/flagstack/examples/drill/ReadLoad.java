package dev.flagstack.examples.drill;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagDetail;
import dev.flagstack.FlagException;
import dev.flagstack.FlagUnavailableException;
import dev.flagstack.FlagValue;
import dev.flagstack.examples.drill.ReadStats.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that read known flags through several clients without pause, judging every answer with a
 * {@link ValueOracle} and timing every read.
 *
 * <ul>
 *   <li><b>Hot readers</b> read a fixed set of entities: after the first read these are memory hits, the
 *       steady state of a service.
 *   <li><b>Cold readers</b> read, at a paced rate, entities their client has never read, so every such
 *       read goes down the layers and shows which of them answers. Half of them are entities another client
 *       has just read (so a shared remote tier may have them), half are new to every client.
 * </ul>
 * What was read is collected per period: {@link #drain()} returns the reads since the last drain.
 */
public final class ReadLoad implements AutoCloseable {
  /** The default value given to reads: no flag ever has it, so it always means "every layer failed". */
  public static final FlagValue DEFAULT = FlagValue.of("(the caller's default)");

  /** Sees every read, on the reading thread; must be thread-safe and fast. */
  public interface ReadObserver {
    /** One read by client {@code client} (its index), {@code right} false for a wrong value. */
    void read(int client, String entity, String flag, long startNanos, long endNanos, Answer answer, boolean right);
  }

  /** How the load reads. */
  public static final class Settings {
    int hotThreadsPerClient = 2;
    int coldThreadsPerClient = 2;
    long hotPauseNanos;
    long coldIntervalNanos = TimeUnit.MILLISECONDS.toNanos(10);
    int typedEvery;
    int throwingEvery;
    String firstTier = "memory";
    ReadObserver observer = (c, e, f, s, t, a, r) -> { };

    /** Threads per client reading the hot entities; default 2. */
    public Settings hotThreadsPerClient(int n) {
      this.hotThreadsPerClient = atLeast(0, n, "hotThreadsPerClient");
      return this;
    }

    /** Threads per client reading entities new to it; default 2. */
    public Settings coldThreadsPerClient(int n) {
      this.coldThreadsPerClient = atLeast(0, n, "coldThreadsPerClient");
      return this;
    }

    /** Pause of a hot reader after each read; default none (it spins). */
    public Settings hotPause(java.time.Duration pause) {
      this.hotPauseNanos = pause.toNanos();
      return this;
    }

    /** Time between two reads of one cold reader; default 10 ms. */
    public Settings coldInterval(java.time.Duration interval) {
      this.coldIntervalNanos = interval.toNanos();
      return this;
    }

    /** Every {@code n}th hot read is a typed read ({@code getString}); 0 for none (the default). */
    public Settings typedEvery(int n) {
      this.typedEvery = atLeast(0, n, "typedEvery");
      return this;
    }

    /** Every {@code n}th hot read is a throwing read ({@code getFlag}); 0 for none (the default). */
    public Settings throwingEvery(int n) {
      this.throwingEvery = atLeast(0, n, "throwingEvery");
      return this;
    }

    /** The name of the clients' in-process tier; default {@code memory}. */
    public Settings firstTier(String name) {
      this.firstTier = Objects.requireNonNull(name, "firstTier");
      return this;
    }

    /** Sees every read. */
    public Settings observer(ReadObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    private static int atLeast(int min, int n, String name) {
      if (n < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", was " + n);
      }
      return n;
    }
  }

  private final List<FlagClient> clients;
  private final List<String> flags;
  private final List<String> hotEntities;
  private final ValueOracle oracle;
  private final Settings settings;
  private final List<Slot> slots = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<ConcurrentLinkedQueue<String>> handoff = new ArrayList<>();
  private final AtomicLong freshEntities = new AtomicLong();
  private final long startedNanos = System.nanoTime();
  private volatile boolean running = true;

  /** Starts the readers at once. */
  public ReadLoad(List<FlagClient> clients, List<String> flags, List<String> hotEntities, ValueOracle oracle,
      Settings settings) {
    this.clients = List.copyOf(clients);
    this.flags = List.copyOf(flags);
    this.hotEntities = List.copyOf(hotEntities);
    this.oracle = oracle;
    this.settings = settings;
    for (int c = 0; c < this.clients.size(); c++) {
      handoff.add(new ConcurrentLinkedQueue<>());
    }
    for (int c = 0; c < this.clients.size(); c++) {
      for (int i = 0; i < settings.hotThreadsPerClient; i++) {
        start(c, "hot-" + i, true);
      }
      for (int i = 0; i < settings.coldThreadsPerClient; i++) {
        start(c, "cold-" + i, false);
      }
    }
  }

  private void start(int client, String role, boolean hot) {
    Slot slot = new Slot();
    slots.add(slot);
    Thread t = new Thread(() -> run(client, slot, hot), "drill-reader-" + clientName(client) + "-" + role);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  /** "A", "B", ... */
  public static String clientName(int client) {
    return String.valueOf((char) ('A' + client));
  }

  /** The reads since the previous drain (or the start), merged over every thread. */
  public ReadStats drain() {
    ReadStats merged = new ReadStats();
    for (Slot slot : slots) {
      ReadStats old;
      synchronized (slot) {
        old = slot.stats;
        slot.stats = new ReadStats();
      }
      merged.add(old);
    }
    return merged;
  }

  /** Stops the readers and waits for them (a read in progress ends within its layers' budgets). */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(15));
      if (t.isAlive()) {
        throw new IllegalStateException(t.getName() + " did not stop within 15 s");
      }
    }
  }

  private void run(int client, Slot slot, boolean hot) {
    FlagClient flagClient = clients.get(client);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long n = 0;
    long next = System.nanoTime();
    while (running) {
      n++;
      String flag = flags.get(random.nextInt(flags.size()));
      if (hot) {
        String entity = hotEntities.get(random.nextInt(hotEntities.size()));
        if (settings.typedEvery > 0 && n % settings.typedEvery == 0) {
          typedRead(client, flagClient, slot, entity, flag);
        } else if (settings.throwingEvery > 0 && n % settings.throwingEvery == 1) {
          throwingRead(client, flagClient, slot, entity, flag);
        } else {
          detailRead(client, flagClient, slot, entity, flag);
        }
        if (settings.hotPauseNanos > 0) {
          LockSupport.parkNanos(settings.hotPauseNanos);
        } else if ((n & 255) == 0) {
          Thread.yield(); // a spinning reader leaves the servers and the clients' own threads room to run
        }
      } else {
        detailRead(client, flagClient, slot, coldEntity(client, random), flag);
        next += settings.coldIntervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else {
          next = System.nanoTime(); // a slow read does not cause a burst afterwards
        }
      }
    }
  }

  /** An entity {@code client} has never read: one another client just read, or a new one. */
  private String coldEntity(int client, ThreadLocalRandom random) {
    if (clients.size() > 1 && random.nextBoolean()) {
      String shared = handoff.get(client).poll();
      if (shared != null) {
        return shared;
      }
    }
    String fresh = "visitor-" + freshEntities.incrementAndGet();
    int other = (client + 1) % clients.size();
    if (other != client && handoff.get(other).size() < 10_000) {
      handoff.get(other).add(fresh);
    }
    return fresh;
  }

  private void detailRead(int client, FlagClient c, Slot slot, String entity, String flag) {
    long start = System.nanoTime();
    FlagDetail detail = c.getFlagDetail(entity, flag, DEFAULT);
    long end = System.nanoTime();
    Answer answer = Answer.of(detail, settings.firstTier);
    judge(client, slot, entity, flag, start, end, answer, detail.value(), detail.layer());
  }

  private void typedRead(int client, FlagClient c, Slot slot, String entity, String flag) {
    long start = System.nanoTime();
    String value;
    try {
      value = c.getString(entity, flag, DEFAULT.stringValue());
    } catch (Throwable e) {
      synchronized (slot) {
        slot.stats.typedReadThrew(clientName(client) + " getString(" + entity + ", " + flag + "): " + e);
      }
      return;
    }
    long end = System.nanoTime();
    boolean failed = DEFAULT.stringValue().equals(value);
    judge(client, slot, entity, flag, start, end, failed ? Answer.ERROR : Answer.NOT_REPORTED,
        FlagValue.of(value), "getString");
  }

  private void throwingRead(int client, FlagClient c, Slot slot, String entity, String flag) {
    long start = System.nanoTime();
    FlagValue value = null;
    Throwable error = null;
    try {
      value = c.getFlag(entity, flag);
    } catch (Throwable e) {
      error = e;
    }
    long end = System.nanoTime();
    if (error == null) {
      judge(client, slot, entity, flag, start, end, Answer.NOT_REPORTED, value, "getFlag");
    } else if (error instanceof FlagUnavailableException) {
      judge(client, slot, entity, flag, start, end, Answer.ERROR, null, "getFlag");
    } else {
      // Every flag exists and every id is valid: any other error is as wrong as a wrong value.
      String what = clientName(client) + " getFlag(" + entity + ", " + flag + ") threw "
          + (error instanceof FlagException ? ((FlagException) error).errorKind() + " " : "") + error;
      synchronized (slot) {
        slot.stats.record(Answer.ERROR, end - start, what);
      }
      settings.observer.read(client, entity, flag, start, end, Answer.ERROR, false);
    }
  }

  private void judge(int client, Slot slot, String entity, String flag, long start, long end, Answer answer,
      FlagValue value, String layer) {
    boolean right = answer == Answer.ERROR || oracle.isRight(flag, entity, value, start, end);
    String wrong = right ? null : String.format("%s read %s/%s = %s from %s during [%.3f, %.3f] s; true now: %s",
        clientName(client), entity, flag, value.toJson(), layer, seconds(start), seconds(end),
        oracle.valueNow(flag, entity).toJson());
    synchronized (slot) {
      slot.stats.record(answer, end - start, wrong);
    }
    settings.observer.read(client, entity, flag, start, end, answer, right);
  }

  private double seconds(long nanos) {
    return (nanos - startedNanos) / 1e9;
  }

  /** One reading thread's statistics of the current period; replaced by {@link #drain()}. */
  private static final class Slot {
    ReadStats stats = new ReadStats();
  }
}
