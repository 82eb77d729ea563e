package dev.flagstack;

import dev.flagstack.spi.FlagDefinitionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process store of flag definitions that answers after a delay and counts its queries and the
 * most it had running at once (a query runs until its answer is sent, whatever the client does).
 */
public final class DefinitionStoreFake implements FlagDefinitionStore, AutoCloseable {
  private final String name;
  private final Duration callTimeout;
  private final Duration delay;
  private final Map<String, FlagDefinition> definitions = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "definition-store-fake");
    t.setDaemon(true);
    return t;
  });
  public final AtomicInteger queries = new AtomicInteger();
  public final AtomicInteger entityQueries = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  public final AtomicInteger maxRunning = new AtomicInteger();
  private volatile boolean failing;

  public DefinitionStoreFake(String name, Duration callTimeout, Duration delay) {
    this.name = name;
    this.callTimeout = callTimeout;
    this.delay = delay;
  }

  public DefinitionStoreFake put(FlagDefinition definition) {
    definitions.put(definition.key(), definition);
    return this;
  }

  public DefinitionStoreFake remove(String flag) {
    definitions.remove(flag);
    return this;
  }

  public DefinitionStoreFake failing(boolean failing) {
    this.failing = failing;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    entityQueries.incrementAndGet();
    return FlagDefinitionStore.super.getFlags(entity, flags);
  }

  @Override
  public CompletionStage<Map<String, FlagDefinition>> getDefinitions(Set<String> flags) {
    queries.incrementAndGet();
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    CompletableFuture<Map<String, FlagDefinition>> answer = new CompletableFuture<>();
    boolean fail = failing;
    Runnable reply = () -> {
      running.decrementAndGet();
      if (fail) {
        answer.completeExceptionally(new java.io.IOException(name + " is down"));
        return;
      }
      Map<String, FlagDefinition> found = new HashMap<>();
      for (String flag : flags) {
        FlagDefinition d = definitions.get(flag);
        if (d != null) {
          found.put(flag, d);
        }
      }
      answer.complete(found);
    };
    if (delay.isZero()) {
      reply.run();
    } else {
      timer.schedule(reply, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
    return answer;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
