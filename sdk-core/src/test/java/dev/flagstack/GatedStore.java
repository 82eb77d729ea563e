package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.spi.FlagStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A store whose every call waits until the test answers it: the test decides when a load ends. */
public final class GatedStore implements FlagStore {
  /** One call the store received, answered by completing {@link #answer}. */
  public static final class Call {
    public final String entity;
    public final Set<String> flags;
    public final CompletableFuture<Map<String, FlagValue>> answer = new CompletableFuture<>();

    Call(String entity, Set<String> flags) {
      this.entity = entity;
      this.flags = flags;
    }

    public void answer(Map<String, FlagValue> values) {
      answer.complete(values);
    }
  }

  private final String name;
  private final Duration callTimeout;
  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  public GatedStore(String name, Duration callTimeout) {
    this.name = name;
    this.callTimeout = callTimeout;
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
    Call call = new Call(entity, flags);
    calls.add(call);
    return call.answer;
  }

  /** The next call, waiting at most 5 s for it. */
  public Call nextCall() throws InterruptedException {
    Call call = calls.poll(5, TimeUnit.SECONDS);
    assertThat(call).as("a call to %s", name).isNotNull();
    return call;
  }

  /** Calls received and not yet taken by {@link #nextCall()}. */
  public int waitingCalls() {
    return calls.size();
  }
}
