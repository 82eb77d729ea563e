package dev.flagstack.testservers;

/** Where a test server came from; printed by the extensions so a test log says what it ran against. */
public enum ServerSource {
  /** A server named by an environment variable (such as {@code FLAGSTACK_REDIS_URI}); never stopped by us. */
  ENVIRONMENT,
  /** A Testcontainers container, used when Docker is available. */
  TESTCONTAINERS,
  /** A server binary started as a child process on a free port. */
  LOCAL_PROCESS,
  /** A server running inside the test JVM. */
  LOCAL_IN_JVM
}
