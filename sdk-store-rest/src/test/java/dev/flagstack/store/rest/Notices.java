package dev.flagstack.store.rest;

import dev.flagstack.spi.FlagChangeListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that records each notice, the thread it came on, and how many polls the server had seen. */
final class Notices implements FlagChangeListener {
  static final String EVERYTHING = "everything";

  /** One notice: {@code what} is the sorted flag keys ("[a, b]") or {@link #EVERYTHING}. */
  record Notice(String what, int pollsSoFar, Thread thread) {}

  private final FlagSetServer server;
  private final BlockingQueue<Notice> notices = new LinkedBlockingQueue<>();

  Notices(FlagSetServer server) {
    this.server = server;
  }

  @Override
  public void flagsChanged(Set<String> flags) {
    notices.add(new Notice(new TreeSet<>(flags).toString(), server.polls(), Thread.currentThread()));
  }

  @Override
  public void everythingChanged() {
    notices.add(new Notice(EVERYTHING, server.polls(), Thread.currentThread()));
  }

  /** The next notice, waiting at most 20 s (a generous bound for a shared machine). */
  Notice next() {
    try {
      Notice n = notices.poll(20, TimeUnit.SECONDS);
      if (n == null) {
        throw new AssertionError("no change notice within 20 s");
      }
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The notices not yet taken, as their {@code what}. */
  List<String> pending() {
    List<Notice> drained = new ArrayList<>();
    notices.drainTo(drained);
    return drained.stream().map(Notice::what).toList();
  }
}
