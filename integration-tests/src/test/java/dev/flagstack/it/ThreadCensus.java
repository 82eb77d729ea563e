package dev.flagstack.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Counts this JVM's live threads, to check that clients, tiers and stores leave none behind once closed.
 *
 * <p>The servers of these tests live in the same JVM (the flags service and its gRPC server, the in-JVM
 * MongoDB), and a service in production would not share its JVM with them: their pools grow while they
 * are busy and shrink on their own schedule (gRPC's shared executor keeps an idle thread 60 s), so their
 * threads are left out of the count, by name: among them the JDK HTTP server's {@code HTTP-Dispatcher} and
 * {@code idle-timeout-task} of the service's OFREP port, made anew by each restart. So are the JDK's own
 * ({@code process reaper}, which waits on the {@code redis-server} and {@code kill} processes the test starts).
 *
 * <p>One thread is a JVM-wide singleton, counted apart ({@link #SINGLETONS}): Resilience4j's
 * {@code CircuitBreakerAutoTransitionThread}, a daemon its breakers share to end a half-open state that
 * heard nothing ({@code maxWaitDurationInHalfOpenState}, the breakers' backstop). It is made by the first
 * half-open state in the JVM and never stopped, however many clients come and go.
 */
final class ThreadCensus {
  /** Name prefixes of threads owned by the in-JVM servers or the JDK, not by the code under test. */
  static final List<String> NOT_OURS = List.of(
      "grpc-default-executor", "grpc-nio-", "grpc-default-", "grpc-shared-destroyer", "reference-service-",
      "mongo-server-", "HTTP-Dispatcher", "idle-timeout-task", "process reaper", "Attach Listener",
      "ForkJoinPool.commonPool-", "Common-Cleaner");
  /** Threads a library keeps once per JVM, whatever the number of clients: at most one each. */
  static final List<String> SINGLETONS = List.of("CircuitBreakerAutoTransitionThread");

  private final Set<Long> baseline;

  private ThreadCensus(Set<Long> baseline) {
    this.baseline = baseline;
  }

  /** Notes the threads alive now. */
  static ThreadCensus take() {
    return new ThreadCensus(Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet()));
  }

  /** How many threads were alive at {@link #take()}. */
  int baselineCount() {
    return baseline.size();
  }

  /** Threads alive now that were not at {@link #take()} and are not the servers' or the JDK's, by name. */
  Set<String> newThreads() {
    Set<String> names = new TreeSet<>();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (t.isAlive() && !baseline.contains(t.getId()) && NOT_OURS.stream().noneMatch(t.getName()::startsWith)
          && !SINGLETONS.contains(t.getName())) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** How many threads named {@code name} are alive. */
  static long alive(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name)).count();
  }

  /** Waits up to {@code grace} for {@link #newThreads()} to be empty; returns what is left. */
  Set<String> awaitNoNewThreads(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    Set<String> left = newThreads();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = newThreads();
    }
    return left;
  }
}
