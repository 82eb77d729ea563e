package dev.flagstack.examples.reference;

import java.time.Duration;

/** Knobs a demo or test turns on a running service: a delay added before every reply. */
final class ServiceControls {
  private volatile long delayNanos;

  void delay(Duration delay) {
    this.delayNanos = delay.toNanos();
  }

  /** Called by every handler before it answers: a slowed service is slow on the wire, for every protocol. */
  void beforeReply() throws InterruptedException {
    long nanos = delayNanos;
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }
}
