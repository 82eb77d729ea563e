package dev.flagstack.store.grpc;

import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.spi.FlagChangeSource;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.StoreException;
import dev.flagstack.store.grpc.internal.BearerToken;
import dev.flagstack.store.grpc.internal.CallOutcomes;
import dev.flagstack.store.grpc.internal.ChangeWatches;
import dev.flagstack.store.grpc.internal.ChannelFactory;
import dev.flagstack.store.grpc.internal.GetFlagsCall;
import dev.flagstack.store.grpc.internal.StatusClassifier;
import dev.flagstack.store.grpc.internal.WatchTiming;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import dev.flagstack.store.grpc.v1.GetFlagsRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary {@link FlagStore} over gRPC: one unary {@code flagstack.v1.FlagService/GetFlags} call per
 * batch, to any server that implements the protocol described in the module README.
 *
 * <pre>{@code
 * GrpcFlagStore store = GrpcFlagStore.builder()
 *     .target("dns:///flags.internal:443")   // TLS with the JVM's trusted CAs
 *     .bearerToken(System.getenv("FLAGS_TOKEN"))
 *     .build();
 * }</pre>
 *
 * <h2>Calls</h2>
 * Every call carries a gRPC deadline of {@link #callTimeout()} and never blocks the caller: the returned
 * stage completes on gRPC's callback executor (or {@link Builder#executor}). Cancelling the stage cancels
 * the call. A flag the server does not know is absent from the result. While the channel is in
 * TRANSIENT_FAILURE (its server was lost), one call at a time asks it to reconnect at once and waits for
 * the connection within its deadline, so that a breaker's probe finds a server that is back.
 *
 * <h2>Failures</h2>
 * UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED from the server, ABORTED, INTERNAL, UNKNOWN,
 * CANCELLED and DATA_LOSS are transient, and so is a reply that breaks the protocol (a result with no
 * value, a flag not asked for, a flag twice, a flag left out): the whole batch fails and falls back.
 * INVALID_ARGUMENT is {@link StoreException#invalidRequest}; NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED,
 * FAILED_PRECONDITION, UNIMPLEMENTED, OUT_OF_RANGE, ALREADY_EXISTS and a message over a size limit (a reply
 * over {@link Builder#maxInboundMessageSize}, or a request over the server's limit) are
 * {@link StoreException#rejected}. A refused credential is logged at ERROR once per incident. The bearer
 * token never appears in a log, an exception or {@link #toString()}.
 *
 * <h2>Change notices</h2>
 * As a {@link FlagChangeSource}, the store keeps a {@code WatchChanges} stream open per
 * {@link #watchChanges watch}, on the same channel and with the same token as its reads, and tells the
 * listener which flags changed, or that everything may have, as the module README describes.
 *
 * <h2>Lifecycle</h2>
 * Thread-safe and immutable. {@link #close()} stops every watch, then shuts down the channel only if this
 * store built it, waiting at most {@link #callTimeout()} plus {@link Builder#SHUTDOWN_GRACE} for calls in
 * flight. Idempotent.
 */
public final class GrpcFlagStore implements FlagStore, FlagChangeSource {
  private static final Logger log = LoggerFactory.getLogger(GrpcFlagStore.class);

  private final String name;
  private final Duration callTimeout;
  private final ManagedChannel ownedChannel;
  /** The channel whose reconnect backoff a call may cut short: the built one, or a supplied ManagedChannel. */
  private final ManagedChannel managedChannel;
  /** Whether a call is waiting for the channel to reconnect; at most one does. */
  private final AtomicBoolean reconnecting = new AtomicBoolean();
  private final FlagServiceGrpc.FlagServiceStub stub;
  private final CallOutcomes outcomes;
  private final ChangeWatches watches;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  private GrpcFlagStore(Builder b, ManagedChannel ownedChannel, Channel channel) {
    this.name = b.name;
    this.callTimeout = b.callTimeout;
    this.ownedChannel = ownedChannel;
    this.managedChannel = channel instanceof ManagedChannel ? (ManagedChannel) channel : null;
    BearerToken token = b.bearerToken == null ? BearerToken.none() : BearerToken.of(b.bearerToken);
    FlagServiceGrpc.FlagServiceStub s = FlagServiceGrpc.newStub(ClientInterceptors.intercept(channel, token))
        .withMaxInboundMessageSize(b.maxInboundMessageSize);
    if (b.executor != null) {
      s = s.withExecutor(b.executor);
    }
    this.stub = s;
    StatusClassifier classifier = new StatusClassifier(name, b.maxInboundMessageSize, token);
    this.outcomes = new CallOutcomes(name, classifier);
    this.watches = new ChangeWatches(name, s, managedChannel, classifier,
        new WatchTiming(b.watchIdleTimeout, b.watchInitialBackoff, b.watchMaxBackoff));
    String where = ownedChannel != null ? "target=" + Builder.maskUserInfo(b.target) : "channel=" + channel.authority();
    this.description = "GrpcFlagStore{name=" + name + ", " + where
        + (ownedChannel != null ? ", tls=" + !b.plaintext : "")
        + ", callTimeout=" + callTimeout + ", maxInboundMessageSize=" + b.maxInboundMessageSize
        + ", watchIdleTimeout=" + b.watchIdleTimeout
        + ", bearerToken=" + token + ", ownsChannel=" + (ownedChannel != null) + '}';
    if (token.isSet() && b.plaintext) {
      log.warn("grpc store '{}' sends its bearer token over a plaintext channel", name);
    }
    log.debug("created {}", description);
  }

  /** A builder with every default; set {@link Builder#target} or {@link Builder#channel}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /** The deadline of every call; {@link FlagStore#DEFAULT_CALL_TIMEOUT} (1 s) unless set. */
  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Reads {@code flags} for {@code entity} in one call. The stage fails with a {@link StoreException}
   * classified as the class documentation says; a closed store fails transiently at once.
   */
  @Override
  public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(flags, "flags");
    CompletableFuture<Map<String, FlagValue>> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(StoreException.transientFailure("grpc store '" + name + "' is closed", null));
      return result;
    }
    if (flags.isEmpty()) {
      result.complete(Map.of());
      return result;
    }
    GetFlagsRequest request = GetFlagsRequest.newBuilder().setEntityId(entity).addAllFlagKeys(flags).build();
    GetFlagsCall call = new GetFlagsCall(flags, result, outcomes);
    try {
      // The deadline is absolute, so it is set per call and never kept in a field.
      FlagServiceGrpc.FlagServiceStub callStub = stub.withDeadlineAfter(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
      if (startReconnect()) {
        callStub = callStub.withWaitForReady();
        result.whenComplete((values, error) -> reconnecting.set(false));
      }
      callStub.getFlags(request, call);
    } catch (RuntimeException e) {
      result.completeExceptionally(StoreException.transientFailure(
          "grpc store '" + name + "' could not start a call: " + e.getClass().getSimpleName(), null));
      return result;
    }
    result.whenComplete((values, error) -> {
      if (result.isCancelled()) {
        call.cancel();
      }
    });
    return result;
  }

  /**
   * A channel that lost its server reports TRANSIENT_FAILURE, failing calls at once, until a reconnect
   * succeeds, and waits a growing backoff (up to 2 minutes) between attempts; so a breaker's probe could
   * fail long after the server is back. While the channel is in that state, one call at a time cuts the
   * backoff short and waits, within its deadline, for the connection: it succeeds as soon as the server
   * is back, and costs at most one call's timeout while it is not. Other calls still fail at once.
   */
  private boolean startReconnect() {
    if (managedChannel == null || managedChannel.getState(false) != ConnectivityState.TRANSIENT_FAILURE
        || !reconnecting.compareAndSet(false, true)) {
      return false;
    }
    managedChannel.resetConnectBackoff();
    return true;
  }

  /**
   * Starts delivering change notices to {@code listener} and returns at once: the stream is opened, and
   * reopened after a failure or {@link Builder#watchIdleTimeout silence}, on the store's own daemon thread
   * with {@link Builder#watchReconnectBackoff backoff}, and notices arrive on gRPC's callback executor (or
   * {@link Builder#executor}), one at a time. The first event of every stream that cannot prove it
   * follows the last one seen (always the first stream) is reported as
   * {@link FlagChangeListener#everythingChanged()}. A server without WatchChanges (UNIMPLEMENTED) is
   * logged once at INFO and not asked again; refused credentials are logged at ERROR and retried at the
   * longest backoff. A listener that throws is logged and keeps receiving notices.
   *
   * <p>The handle's {@code close()} cancels the stream and stops reconnecting; it never throws, is
   * idempotent, and no notice is delivered after it returned. {@link #close()} closes every watch.
   *
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public AutoCloseable watchChanges(FlagChangeListener listener) {
    return watches.start(listener);
  }

  /**
   * Stops every watch and shuts down the channel if this store built it: calls in flight get up to
   * {@link #callTimeout()} to finish, then the channel is forced down, waiting at most
   * {@link Builder#SHUTDOWN_GRACE} more. A supplied channel is left alone. Later calls fail transiently.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watches.closeAll();
    if (ownedChannel == null) {
      return;
    }
    ownedChannel.shutdown();
    try {
      if (!ownedChannel.awaitTermination(callTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        ownedChannel.shutdownNow();
        if (!ownedChannel.awaitTermination(Builder.SHUTDOWN_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
          log.warn("grpc store '{}': the channel did not terminate within {}", name,
              callTimeout.plus(Builder.SHUTDOWN_GRACE));
        }
      }
    } catch (InterruptedException e) {
      ownedChannel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The name, target or channel authority and the main settings; never the bearer token. */
  @Override
  public String toString() {
    return description;
  }

  /**
   * Builds a {@link GrpcFlagStore}. Exactly one of {@link #target} and {@link #channel} is required.
   * Setters validate at once and name the option and the bad value; setting an option twice, or
   * combining options that conflict, is an {@link IllegalStateException}. Not thread-safe.
   */
  public static final class Builder extends GrpcFlagStoreSettings {
    /** The store's name in logs, events and errors: {@value}. */
    public static final String DEFAULT_NAME = "grpc";
    /** The deadline of every call: 1 s, the seed's gRPC timeout ({@link FlagStore#DEFAULT_CALL_TIMEOUT}). */
    public static final Duration DEFAULT_CALL_TIMEOUT = FlagStore.DEFAULT_CALL_TIMEOUT;
    /** The longest call timeout; longer settings are lowered to it: 1 min. */
    public static final Duration MAX_CALL_TIMEOUT = Duration.ofMinutes(1);
    /** The largest reply accepted, in bytes: {@value} (4 MiB, gRPC's own default). */
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;
    /** The smallest {@link #maxInboundMessageSize} accepted: {@value} bytes. */
    public static final int MIN_MAX_INBOUND_MESSAGE_SIZE = 1024;
    /** The largest {@link #maxInboundMessageSize} accepted: {@value} bytes (256 MiB). */
    public static final int MAX_MAX_INBOUND_MESSAGE_SIZE = 256 * 1024 * 1024;
    /** The shortest keepalive time gRPC honours: 10 s. */
    public static final Duration MIN_KEEPALIVE_TIME = Duration.ofSeconds(10);
    /** How long a keepalive ping may go unanswered before the connection is dropped: 20 s (gRPC's default). */
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);
    /** How much longer than the call timeout {@link #close()} waits for a built channel to go down: 1 s. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(1);
    /**
     * How long a change stream may go without any event, heartbeats included, before it is presumed dead
     * and reopened: 30 s, three heartbeats of a server sending one every 10 s as the protocol asks.
     */
    public static final Duration DEFAULT_WATCH_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** The shortest {@link #watchIdleTimeout}: 100 ms. */
    public static final Duration MIN_WATCH_IDLE_TIMEOUT = Duration.ofMillis(100);
    /** The longest {@link #watchIdleTimeout}: 1 h. */
    public static final Duration MAX_WATCH_IDLE_TIMEOUT = Duration.ofHours(1);
    /** The first wait before reopening a failed change stream: 100 ms. */
    public static final Duration DEFAULT_WATCH_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** The longest wait before reopening a change stream, reached by doubling: 5 s. */
    public static final Duration DEFAULT_WATCH_MAX_BACKOFF = Duration.ofSeconds(5);
    /** The shortest backoff accepted by {@link #watchReconnectBackoff}: 1 ms. */
    public static final Duration MIN_WATCH_BACKOFF = Duration.ofMillis(1);
    /** The longest backoff accepted by {@link #watchReconnectBackoff}: 10 min. */
    public static final Duration MAX_WATCH_BACKOFF = Duration.ofMinutes(10);

    Builder() {}

    /**
     * The store. With a {@link #target}, builds a channel that connects on the first call, so building
     * succeeds while the server is down.
     *
     * @throws IllegalStateException if neither or both of target and channel were set
     * @throws IllegalArgumentException if no name resolver accepts the target
     */
    public GrpcFlagStore build() {
      Builder b = resolved();
      if (b.channel != null) {
        return new GrpcFlagStore(b, null, b.channel);
      }
      ChannelFactory.Spec spec = new ChannelFactory.Spec();
      spec.target = b.target;
      spec.plaintext = b.plaintext;
      spec.trustCertificates = b.trustCertificates;
      spec.keepAliveTime = b.keepAliveTime;
      spec.keepAliveTimeout = b.keepAliveTimeout;
      spec.maxInboundMessageSize = b.maxInboundMessageSize;
      spec.executor = b.executor;
      ManagedChannel channel;
      try {
        channel = ChannelFactory.build(spec);
      } catch (IllegalArgumentException e) {
        String masked = maskUserInfo(b.target);
        String why = String.valueOf(e.getMessage()).replace(b.target, masked);
        // gRPC's own message quotes the raw target: keep it as the cause only if that holds no user-info.
        throw new IllegalArgumentException("target '" + masked + "' is not a usable gRPC target: " + why,
            masked.equals(b.target) ? e : null);
      }
      return new GrpcFlagStore(b, channel, channel);
    }
  }
}
