package dev.flagstack.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread counters that JMH reports next to the time: reads made and calls the backend server saw
 * during them. {@link ResultsReport} divides one by the other, so a table shows how many backend calls a
 * read really cost (1.00 for a true miss, less when something in between answered).
 *
 * <p>Used only by single-threaded benchmarks, which read the server's counter before and after each read.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class BackendCalls {
  /** Reads measured in this iteration. */
  public long reads;
  /** Calls the backend server received during those reads. */
  public long backendCalls;

  /** JMH does not reset auxiliary counters by itself. */
  @Setup(Level.Iteration)
  public void reset() {
    reads = 0;
    backendCalls = 0;
  }

  void count(long callsBefore, long callsAfter) {
    reads++;
    backendCalls += callsAfter - callsBefore;
  }
}
