package dev.flagstack.benchmarks;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the {@code find} commands a MongoDB client sends, and the commands that failed. */
final class FindCounter implements CommandListener {
  private final AtomicLong finds = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile String lastFailure = "none";

  @Override
  public void commandStarted(CommandStartedEvent event) {
    if ("find".equals(event.getCommandName())) {
      finds.incrementAndGet();
    }
  }

  @Override
  public void commandFailed(CommandFailedEvent event) {
    failures.incrementAndGet();
    lastFailure = event.getCommandName() + ": " + event.getThrowable();
  }

  long finds() {
    return finds.get();
  }

  long failures() {
    return failures.get();
  }

  /** The last failed command and why, for a tear-down message. */
  String lastFailure() {
    return lastFailure;
  }
}
