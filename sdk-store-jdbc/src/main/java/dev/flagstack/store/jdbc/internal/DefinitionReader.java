package dev.flagstack.store.jdbc.internal;

import dev.flagstack.FlagDefinition;
import dev.flagstack.spi.StoreException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import javax.sql.DataSource;

/**
 * Runs a store's reads: borrows a connection, runs the {@link DefinitionQuery} on the store's own
 * {@link StoreExecutor} and completes the caller's stage, never on the caller's thread.
 */
public final class DefinitionReader {
  private final DataSource dataSource;
  private final DefinitionQuery query;
  private final StoreExecutor executor;
  private final FailureReporter failures;
  private volatile boolean closed;

  /** A reader of {@code dataSource} through {@code query}, on {@code executor}. */
  public DefinitionReader(DataSource dataSource, DefinitionQuery query, StoreExecutor executor,
      FailureReporter failures) {
    this.dataSource = dataSource;
    this.query = query;
    this.executor = executor;
    this.failures = failures;
  }

  /** The definitions of {@code flags}; the stage fails with a {@link StoreException}. */
  public CompletableFuture<Map<String, FlagDefinition>> read(Set<String> flags) {
    Objects.requireNonNull(flags, "flags");
    CompletableFuture<Map<String, FlagDefinition>> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(failures.unavailable("is closed"));
      return result;
    }
    List<String> ids = new ArrayList<>(flags);
    for (String id : ids) {
      Objects.requireNonNull(id, "flag id");
      if (id.indexOf('\0') >= 0) {
        result.completeExceptionally(StoreException.invalidRequest(
            "a flag id holds a NUL character, which PostgreSQL text cannot hold"));
        return result;
      }
    }
    if (ids.isEmpty()) {
      result.complete(Map.of());
      return result;
    }
    StoreExecutor.Task task = new StoreExecutor.Task() {
      @Override
      public void run() {
        try (Connection connection = dataSource.getConnection()) {
          result.complete(query.run(connection, ids));
        } catch (Throwable e) { // NOPMD: the stage must complete whatever happens
          result.completeExceptionally(failures.translate(e, closed));
          if (e instanceof VirtualMachineError) {
            throw (VirtualMachineError) e;
          }
        }
      }

      @Override
      public void abandon() {
        result.completeExceptionally(failures.unavailable("was closed"));
      }
    };
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(failures.unavailable(closed ? "is closed" : "is busy: its queue is full"));
    }
    return result;
  }

  /** Fails later reads, interrupts running ones and abandons queued ones. */
  public void close() {
    closed = true;
    executor.shutdownNow();
  }
}
