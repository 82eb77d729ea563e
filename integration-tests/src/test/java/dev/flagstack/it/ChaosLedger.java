package dev.flagstack.it;

import dev.flagstack.examples.drill.Faults;
import dev.flagstack.examples.drill.Faults.Fault;
import dev.flagstack.examples.drill.ReadLoad;
import dev.flagstack.examples.drill.ReadStats.Answer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the chaos test needs to judge the errors callers saw: every read that got an error, every read a
 * layer below memory answered (each leaves a last-known-good value), every change notice a client handled,
 * and when each client last got each kind of answer.
 *
 * <p>An error is <em>allowed</em> iff (1) at some moment during the read the primary and the secondary were
 * both in trouble, and (2) the client had no last-known-good value for that key when the read began.
 * <ul>
 *   <li>The primary is in trouble from the start of a "slow" or "stopped" fault until
 *       {@link #primaryRecovery} after its end (the breaker may still be open then: its longest open period
 *       plus one probe call, plus slack). The secondary is in trouble while MongoDB is stopped and
 *       {@link #secondaryRecovery} after (the driver rediscovers the server).
 *   <li>A client has a last-known-good value for a key once a read of it answered by Redis, the primary or
 *       the secondary has ended, unless a change notice for that flag (or for everything) was handled while
 *       that read ran: such a load remembers nothing, by design. Notices never remove a remembered value.
 * </ul>
 */
final class ChaosLedger implements ReadLoad.ReadObserver {
  /** One read: by which client, of which key, from when to when ({@link System#nanoTime()}). */
  record Read(int client, String entity, String flag, long start, long end) {}

  private record Notice(long at, Set<String> flags) {}

  private static final long NOTICE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Queue<Read> errors = new ConcurrentLinkedQueue<>();
  private final Queue<Read> loads = new ConcurrentLinkedQueue<>();
  private final List<Queue<Notice>> notices = new ArrayList<>();
  private final List<AtomicLongArray> lastAnswerStart = new ArrayList<>();
  private final long primaryRecoveryNanos;
  private final long secondaryRecoveryNanos;

  ChaosLedger(int clients, java.time.Duration primaryRecovery, java.time.Duration secondaryRecovery) {
    for (int c = 0; c < clients; c++) {
      notices.add(new ConcurrentLinkedQueue<>());
      lastAnswerStart.add(new AtomicLongArray(Answer.values().length));
    }
    this.primaryRecoveryNanos = primaryRecovery.toNanos();
    this.secondaryRecoveryNanos = secondaryRecovery.toNanos();
  }

  @Override
  public void read(int client, String entity, String flag, long start, long end, Answer answer, boolean right) {
    lastAnswerStart.get(client).accumulateAndGet(answer.ordinal(), start, Math::max);
    if (answer == Answer.ERROR) {
      errors.add(new Read(client, entity, flag, start, end));
    } else if (right && (answer == Answer.REMOTE_CACHE || answer == Answer.PRIMARY || answer == Answer.SECONDARY)) {
      loads.add(new Read(client, entity, flag, start, end));
    }
  }

  /** Client {@code client} handled a change notice ({@code flags} empty: everything). */
  void noticeHandled(int client, Set<String> flags) {
    notices.get(client).add(new Notice(System.nanoTime(), Set.copyOf(flags)));
  }

  /** The start of the latest read of {@code client} that got {@code answer}, or 0. */
  long lastStartOf(int client, Answer answer) {
    return lastAnswerStart.get(client).get(answer.ordinal());
  }

  int noticesHandled(int client) {
    return notices.get(client).size();
  }

  int errorCount() {
    return errors.size();
  }

  /** The errors that were not allowed (see the class documentation), described. */
  List<String> unallowedErrors(List<Faults.Span> history) {
    List<long[]> primary = spans(history, EnumSet.of(Fault.PRIMARY_SLOW, Fault.PRIMARY_STOPPED), primaryRecoveryNanos);
    List<long[]> secondary = spans(history, EnumSet.of(Fault.MONGO_STOPPED), secondaryRecoveryNanos);
    Map<String, List<Read>> loadsByKey = new HashMap<>();
    for (Read r : loads) {
      loadsByKey.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
    }
    List<String> bad = new ArrayList<>();
    for (Read e : errors) {
      if (!bothInTrouble(primary, secondary, e.start, e.end)) {
        bad.add(describe(e) + ": the primary and the secondary were not both in trouble");
      } else if (hadLastKnownGood(e, loadsByKey.getOrDefault(key(e), List.of()))) {
        bad.add(describe(e) + ": the client had a last-known-good value");
      }
    }
    return bad;
  }

  private boolean hadLastKnownGood(Read error, List<Read> loadsOfKey) {
    for (Read load : loadsOfKey) {
      if (load.end < error.start && !noticeDuring(load)) {
        return true;
      }
    }
    return false;
  }

  private boolean noticeDuring(Read load) {
    for (Notice n : notices.get(load.client)) {
      boolean inside = n.at >= load.start && n.at <= load.end + NOTICE_SLACK_NANOS;
      if (inside && (n.flags.isEmpty() || n.flags.contains(load.flag))) {
        return true;
      }
    }
    return false;
  }

  private static boolean bothInTrouble(List<long[]> primary, List<long[]> secondary, long start, long end) {
    for (long[] p : primary) {
      for (long[] s : secondary) {
        long from = Math.max(Math.max(p[0], s[0]), start);
        long to = Math.min(Math.min(p[1], s[1]), end);
        if (from <= to) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<long[]> spans(List<Faults.Span> history, Set<Fault> faults, long recoveryNanos) {
    List<long[]> out = new ArrayList<>();
    for (Faults.Span span : history) {
      if (faults.contains(span.fault)) {
        long end = span.endNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : span.endNanos() + recoveryNanos;
        out.add(new long[] {span.startNanos, end});
      }
    }
    return out;
  }

  private static String key(Read r) {
    return r.client + "\u0000" + r.entity + "\u0000" + r.flag;
  }

  private static String describe(Read r) {
    return ReadLoad.clientName(r.client) + " " + r.entity + "/" + r.flag;
  }
}
