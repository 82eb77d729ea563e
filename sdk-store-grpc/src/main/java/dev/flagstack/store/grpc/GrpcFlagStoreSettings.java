package dev.flagstack.store.grpc;

import dev.flagstack.store.grpc.GrpcFlagStore.Builder;
import dev.flagstack.store.grpc.internal.BearerToken;
import dev.flagstack.store.grpc.internal.ChannelFactory;
import io.grpc.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings and setters of {@link GrpcFlagStore.Builder}, kept apart from the store so that neither
 * file grows long. Not an API of its own: use {@link GrpcFlagStore#builder()}.
 */
abstract class GrpcFlagStoreSettings {
  String name;
  String target;
  Channel channel;
  Duration callTimeout;
  int maxInboundMessageSize;
  boolean plaintext;
  boolean plaintextSet;
  byte[] trustCertificates;
  Duration keepAliveTime;
  Duration keepAliveTimeout;
  String bearerToken;
  Executor executor;
  Duration watchIdleTimeout;
  Duration watchInitialBackoff;
  Duration watchMaxBackoff;

  GrpcFlagStoreSettings() {}

  private Builder self() {
    return (Builder) this;
  }

  /** The store's name, at most 64 characters; default {@value Builder#DEFAULT_NAME}. */
  public Builder name(String name) {
    checkUnset("name", this.name, name);
    if (name.isBlank() || name.length() > 64) {
      throw new IllegalArgumentException("name must be 1 to 64 characters and not blank, was '" + name + "'");
    }
    this.name = name;
    return self();
  }

  /**
   * The server to call, as a gRPC target: {@code host:port}, {@code dns:///host:port}, or any scheme a
   * registered name resolver handles. The store builds its channel from it (and closes it); whether a
   * resolver accepts it is checked by {@link Builder#build()}.
   */
  public Builder target(String target) {
    Objects.requireNonNull(target, "target");
    if (this.target != null) {
      throw new IllegalStateException("target was already set to '" + maskUserInfo(this.target) + "'");
    }
    if (channel != null) {
      throw new IllegalStateException("target cannot be combined with channel(...)");
    }
    if (target.isBlank() || target.length() > 2048 || target.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("target must be 1 to 2048 characters without spaces or control characters,"
          + " was '" + maskUserInfo(target) + "'");
    }
    this.target = target;
    return self();
  }

  /**
   * A channel the application already has, such as its own {@code ManagedChannel}: the store never shuts
   * it down and never changes its settings (TLS, keepalive and the executor of a built channel do not
   * apply; the call timeout, inbound size limit and bearer token do, per call).
   */
  public Builder channel(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    if (this.channel != null) {
      throw new IllegalStateException("channel was already set");
    }
    if (target != null) {
      throw new IllegalStateException("channel cannot be combined with target(...)");
    }
    this.channel = channel;
    return self();
  }

  /**
   * The deadline of every call; positive, default 1 s ({@link Builder#DEFAULT_CALL_TIMEOUT}, the seed's).
   * A value over {@link Builder#MAX_CALL_TIMEOUT} (1 min) is lowered to it.
   */
  public Builder callTimeout(Duration timeout) {
    checkUnset("callTimeout", this.callTimeout, timeout);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive, was " + timeout);
    }
    this.callTimeout = timeout.compareTo(Builder.MAX_CALL_TIMEOUT) > 0 ? Builder.MAX_CALL_TIMEOUT : timeout;
    return self();
  }

  /**
   * The largest reply accepted, in bytes, from {@value Builder#MIN_MAX_INBOUND_MESSAGE_SIZE} to
   * {@value Builder#MAX_MAX_INBOUND_MESSAGE_SIZE}; default {@value Builder#DEFAULT_MAX_INBOUND_MESSAGE_SIZE}
   * (4 MiB). A larger reply fails the call with a non-transient error: it would fail on every retry.
   */
  public Builder maxInboundMessageSize(int bytes) {
    if (this.maxInboundMessageSize != 0) {
      throw new IllegalStateException("maxInboundMessageSize was already set to " + this.maxInboundMessageSize);
    }
    if (bytes < Builder.MIN_MAX_INBOUND_MESSAGE_SIZE || bytes > Builder.MAX_MAX_INBOUND_MESSAGE_SIZE) {
      throw new IllegalArgumentException("maxInboundMessageSize must be from " + Builder.MIN_MAX_INBOUND_MESSAGE_SIZE
          + " to " + Builder.MAX_MAX_INBOUND_MESSAGE_SIZE + " bytes, was " + bytes);
    }
    this.maxInboundMessageSize = bytes;
    return self();
  }

  /**
   * Talks to the target without TLS. TLS is the default; plaintext must be asked for, and is meant for
   * a sidecar on loopback or a mesh that encrypts for you.
   */
  public Builder plaintext() {
    if (plaintextSet) {
      throw new IllegalStateException("plaintext was already set");
    }
    if (trustCertificates != null) {
      throw new IllegalStateException("plaintext cannot be combined with trustCertificates(...)");
    }
    this.plaintext = true;
    this.plaintextSet = true;
    return self();
  }

  /**
   * Trusts the CA certificates in this PEM file instead of the JVM's, for the built channel's TLS. The
   * file is read and checked now.
   *
   * @throws IllegalArgumentException if it cannot be read or holds no X.509 certificate
   */
  public Builder trustCertificates(Path pemFile) {
    Objects.requireNonNull(pemFile, "trustCertificates");
    if (trustCertificates != null) {
      throw new IllegalStateException("trustCertificates was already set");
    }
    if (plaintext) {
      throw new IllegalStateException("trustCertificates cannot be combined with plaintext()");
    }
    this.trustCertificates = ChannelFactory.readTrustCertificates(pemFile);
    return self();
  }

  /**
   * Pings an idle connection this often to find a dead one before a call does; at least
   * {@link Builder#MIN_KEEPALIVE_TIME} (10 s). Default off, as in gRPC: servers refuse pings more frequent
   * than they allow (grpc-java servers: every 5 min unless configured), so agree on it with the server.
   */
  public Builder keepAliveTime(Duration time) {
    checkUnset("keepAliveTime", this.keepAliveTime, time);
    if (time.compareTo(Builder.MIN_KEEPALIVE_TIME) < 0) {
      throw new IllegalArgumentException("keepAliveTime must be at least " + Builder.MIN_KEEPALIVE_TIME + ", was " + time);
    }
    this.keepAliveTime = time;
    return self();
  }

  /** How long a keepalive ping may go unanswered; positive, default 20 s ({@link Builder#DEFAULT_KEEPALIVE_TIMEOUT}). */
  public Builder keepAliveTimeout(Duration timeout) {
    checkUnset("keepAliveTimeout", this.keepAliveTimeout, timeout);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("keepAliveTimeout must be positive, was " + timeout);
    }
    this.keepAliveTimeout = timeout;
    return self();
  }

  /**
   * Sends {@code authorization: Bearer <token>} with every call. The token is never logged nor shown in
   * an exception or {@code toString()}, and is masked in the server's error descriptions.
   *
   * @throws IllegalArgumentException if it is empty or holds anything but visible ASCII (the message
   *     gives the position, never the token)
   */
  public Builder bearerToken(String token) {
    Objects.requireNonNull(token, "bearerToken");
    if (this.bearerToken != null) {
      throw new IllegalStateException("bearerToken was already set");
    }
    this.bearerToken = BearerToken.check(token);
    return self();
  }

  /**
   * Where gRPC's callbacks run, and so where the returned stages complete; default gRPC's shared cached
   * thread pool. Must not run tasks on the calling thread while a lock is held, as gRPC requires.
   */
  public Builder executor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    if (this.executor != null) {
      throw new IllegalStateException("executor was already set");
    }
    this.executor = executor;
    return self();
  }

  /**
   * How long a change stream may go without any event, heartbeats included, before it is presumed dead,
   * cancelled and reopened; from {@link Builder#MIN_WATCH_IDLE_TIMEOUT} (100 ms) to
   * {@link Builder#MAX_WATCH_IDLE_TIMEOUT} (1 h), default 30 s ({@link Builder#DEFAULT_WATCH_IDLE_TIMEOUT}).
   * Set it to about three times the server's heartbeat interval.
   */
  public Builder watchIdleTimeout(Duration timeout) {
    checkUnset("watchIdleTimeout", this.watchIdleTimeout, timeout);
    if (timeout.compareTo(Builder.MIN_WATCH_IDLE_TIMEOUT) < 0 || timeout.compareTo(Builder.MAX_WATCH_IDLE_TIMEOUT) > 0) {
      throw new IllegalArgumentException("watchIdleTimeout must be from " + Builder.MIN_WATCH_IDLE_TIMEOUT + " to "
          + Builder.MAX_WATCH_IDLE_TIMEOUT + ", was " + timeout);
    }
    this.watchIdleTimeout = timeout;
    return self();
  }

  /**
   * The wait before reopening a change stream that failed: {@code initial} after the first failure,
   * doubling with each consecutive one up to {@code max}, each wait drawn at random from the upper half
   * of its bound; refused credentials and other non-transient refusals wait {@code max}. Both from
   * {@link Builder#MIN_WATCH_BACKOFF} (1 ms) to {@link Builder#MAX_WATCH_BACKOFF} (10 min), {@code initial}
   * at most {@code max}; default 100 ms and 5 s ({@link Builder#DEFAULT_WATCH_INITIAL_BACKOFF},
   * {@link Builder#DEFAULT_WATCH_MAX_BACKOFF}).
   */
  public Builder watchReconnectBackoff(Duration initial, Duration max) {
    Objects.requireNonNull(initial, "watchReconnectBackoff initial");
    Objects.requireNonNull(max, "watchReconnectBackoff max");
    if (this.watchInitialBackoff != null) {
      throw new IllegalStateException("watchReconnectBackoff was already set to " + watchInitialBackoff + " to "
          + watchMaxBackoff);
    }
    for (Duration d : new Duration[] {initial, max}) {
      if (d.compareTo(Builder.MIN_WATCH_BACKOFF) < 0 || d.compareTo(Builder.MAX_WATCH_BACKOFF) > 0) {
        throw new IllegalArgumentException("watchReconnectBackoff must be from " + Builder.MIN_WATCH_BACKOFF + " to "
            + Builder.MAX_WATCH_BACKOFF + ", was " + initial + " to " + max);
      }
    }
    if (initial.compareTo(max) > 0) {
      throw new IllegalArgumentException("watchReconnectBackoff initial must not exceed max, was " + initial + " to "
          + max);
    }
    this.watchInitialBackoff = initial;
    this.watchMaxBackoff = max;
    return self();
  }

  /** A copy with every default filled in, after checking that the settings fit together. */
  Builder resolved() {
    if (target == null && channel == null) {
      throw new IllegalStateException("either target(...) or channel(...) must be set");
    }
    if (channel != null && (plaintextSet || trustCertificates != null || keepAliveTime != null
        || keepAliveTimeout != null)) {
      throw new IllegalStateException("plaintext, trustCertificates and keepAlive* apply only to a channel built"
          + " from target(...); configure your own channel instead");
    }
    if (keepAliveTimeout != null && keepAliveTime == null) {
      throw new IllegalStateException("keepAliveTimeout needs keepAliveTime(...)");
    }
    Builder b = new Builder();
    b.name = name != null ? name : Builder.DEFAULT_NAME;
    b.target = target;
    b.channel = channel;
    b.callTimeout = callTimeout != null ? callTimeout : Builder.DEFAULT_CALL_TIMEOUT;
    b.maxInboundMessageSize = maxInboundMessageSize != 0 ? maxInboundMessageSize : Builder.DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    b.plaintext = plaintext;
    b.plaintextSet = plaintextSet;
    b.trustCertificates = trustCertificates;
    b.keepAliveTime = keepAliveTime;
    b.keepAliveTimeout = keepAliveTime == null ? null
        : keepAliveTimeout != null ? keepAliveTimeout : Builder.DEFAULT_KEEPALIVE_TIMEOUT;
    b.bearerToken = bearerToken;
    b.executor = executor;
    b.watchIdleTimeout = watchIdleTimeout != null ? watchIdleTimeout : Builder.DEFAULT_WATCH_IDLE_TIMEOUT;
    b.watchInitialBackoff = watchInitialBackoff != null ? watchInitialBackoff : Builder.DEFAULT_WATCH_INITIAL_BACKOFF;
    b.watchMaxBackoff = watchMaxBackoff != null ? watchMaxBackoff : Builder.DEFAULT_WATCH_MAX_BACKOFF;
    return b;
  }

  /** {@code target} with any user-info ({@code scheme://user:secret@host}) masked. */
  static String maskUserInfo(String target) {
    return target.replaceAll("//[^/@]*@", "//*****@");
  }

  /** Never shows the bearer token. */
  @Override
  public String toString() {
    return "GrpcFlagStore.Builder{" + (channel != null ? "channel" : target != null ? "target=" + maskUserInfo(target)
        : "unset") + ", bearerToken=" + (bearerToken == null ? "none" : "set") + '}';
  }

  private static void checkUnset(String option, Object current, Object value) {
    Objects.requireNonNull(value, option);
    if (current != null) {
      throw new IllegalStateException(option + " was already set to " + current);
    }
  }
}
