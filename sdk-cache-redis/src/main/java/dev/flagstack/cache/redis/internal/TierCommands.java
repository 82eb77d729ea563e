package dev.flagstack.cache.redis.internal;

import dev.flagstack.FlagValue;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tier's data path: the Redis commands behind lookups, writes, deletes and publishes, over the data
 * connection once it is open. Without a connection every operation fails at once with a cheap
 * {@link NotConnectedException}.
 *
 * <p>A write never reaches Redis later than its budget: Lettuce skips a command that is already complete
 * when it would write it (also when it replays commands after a reconnect), and a client made by the
 * tier completes every command exceptionally once its timeout passes. With a supplied client that has no
 * command timeout, the tier cancels the writes itself after the budget, on its own timer thread.
 */
public final class TierCommands {
  private static final Logger log = LoggerFactory.getLogger(TierCommands.class);

  private final String name;
  private final long ttlMillis;
  private final KeyCodec keys;
  private final ChangeTimes changes;
  private final RedisBackend backend;
  private final long writeBudgetNanos;
  private final boolean clientTimesOutWrites;
  private final ScheduledThreadPoolExecutor timer;
  private volatile StatefulConnection<String, String> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile boolean closed;

  /** The data path of the tier {@code s}, over {@code backend}. */
  public TierCommands(TierSettings s, KeyCodec keys, RedisBackend backend, ChangeTimes changes) {
    this.name = s.name();
    this.changes = changes;
    this.ttlMillis = s.ttl().toMillis();
    this.keys = keys;
    this.backend = backend;
    this.writeBudgetNanos = s.timeBudget().toNanos();
    this.clientTimesOutWrites = ClientFactory.timesOutCommands(ClientFactory.options(backend.client()));
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "flagstack-redis-timer-" + s.name());
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** The tier's timer thread, for delayed work such as repeated invalidations; stopped by {@link #close()}. */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /** Starts using {@code c}, a connection from the backend. */
  public void connected(StatefulConnection<String, String> c) {
    connection = c;
    commands = backend.commands(c);
  }

  /** Fails every later operation at once and drops pending timer tasks. */
  public void close() {
    closed = true;
    commands = null;
    connection = null;
    timer.shutdownNow();
  }

  /**
   * One MGET for the whole batch; a malformed stored value is absent from the result, and so is one loaded
   * before its flag changed ({@link ChangeTimes#accepts}).
   */
  public CompletableFuture<Map<String, FlagValue>> getAll(String entity, Set<String> flags) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed) {
      return CompletableFuture.failedFuture(notConnected());
    }
    List<String> names = new ArrayList<>(flags.size());
    List<String> redisKeys = new ArrayList<>(flags.size());
    for (String flag : flags) {
      String key = keys.key(entity, flag);
      if (key != null) {
        names.add(flag);
        redisKeys.add(key);
      }
    }
    if (redisKeys.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return cmd.mget(redisKeys.toArray(new String[0])).toCompletableFuture().thenApply(found -> {
      Map<String, FlagValue> values = new HashMap<>();
      for (int i = 0; i < found.size() && i < names.size(); i++) {
        KeyValue<String, String> kv = found.get(i);
        if (kv.hasValue()) {
          ValueCodec.Stamped stamped = ValueCodec.decodeStamped(kv.getValue());
          if (stamped != null) {
            String flag = names.get(i);
            if (changes.accepts(flag, stamped.stampMillis())) {
              values.put(flag, stamped.value());
            }
          } else if (log.isDebugEnabled()) {
            log.debug("Redis tier '{}': ignoring a malformed value at key {}", name, kv.getKey());
          }
        }
      }
      return values;
    });
  }

  /** SET PX for each value, stamped {@code stampMillis}, written together with one flush (pipelined). */
  public CompletableFuture<Void> putAll(String entity, Map<String, FlagValue> values, long stampMillis) {
    StatefulConnection<String, String> c = connection;
    if (c == null || closed) {
      return CompletableFuture.failedFuture(notConnected());
    }
    List<RedisCommand<String, String, ?>> batch = new ArrayList<>(values.size());
    List<CompletableFuture<?>> replies = new ArrayList<>(values.size());
    SetArgs px = SetArgs.Builder.px(ttlMillis);
    for (Map.Entry<String, FlagValue> e : values.entrySet()) {
      String key = keys.key(entity, e.getKey());
      if (key == null) {
        continue;
      }
      CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8)
          .addKey(key).addValue(ValueCodec.encode(e.getValue(), stampMillis));
      px.build(args);
      AsyncCommand<String, String, String> set = new AsyncCommand<>(
          new Command<>(CommandType.SET, new StatusOutput<>(StringCodec.UTF8), args));
      batch.add(set);
      replies.add(set);
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!clientTimesOutWrites) {
      cancelAfterBudget(batch);
    }
    c.dispatch(batch);
    return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]));
  }

  private void cancelAfterBudget(List<RedisCommand<String, String, ?>> batch) {
    try {
      timer.schedule(() -> {
        for (RedisCommand<String, String, ?> set : batch) {
          if (!set.isDone()) {
            set.completeExceptionally(new WriteTimeoutException("Redis tier '" + name + "': a write missed its "
                + TimeUnit.NANOSECONDS.toMillis(writeBudgetNanos) + " ms budget and will not be sent"));
          }
        }
      }, writeBudgetNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // The tier is closing: Lettuce cancels what is still buffered when the connection closes.
    }
  }

  /** UNLINK of one entry; completes with the number of keys removed. */
  public CompletableFuture<Long> unlink(String entity, String flag) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed) {
      return CompletableFuture.failedFuture(notConnected());
    }
    String key = keys.key(entity, flag);
    if (key == null) {
      return CompletableFuture.completedFuture(0L);
    }
    return cmd.unlink(key).toCompletableFuture();
  }

  /** SCAN MATCH over this prefix's keys and UNLINK of each page; completes with the number removed. */
  public CompletableFuture<Long> unlinkAll() {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed) {
      return CompletableFuture.failedFuture(notConnected());
    }
    ScanArgs args = ScanArgs.Builder.matches(keys.scanPattern()).limit(1000);
    return cmd.scan(args).toCompletableFuture().thenCompose(cursor -> unlinkAndContinue(cmd, args, cursor, 0L));
  }

  private CompletableFuture<Long> unlinkAndContinue(RedisClusterAsyncCommands<String, String> cmd, ScanArgs args,
      KeyScanCursor<String> cursor, long deletedSoFar) {
    List<String> found = cursor.getKeys();
    CompletableFuture<Long> deleted = found.isEmpty()
        ? CompletableFuture.completedFuture(0L)
        : cmd.unlink(found.toArray(new String[0])).toCompletableFuture();
    return deleted.thenCompose(n -> {
      long total = deletedSoFar + (n == null ? 0 : n);
      if (cursor.isFinished() || closed) {
        return CompletableFuture.completedFuture(total);
      }
      return cmd.scan(cursor, args).toCompletableFuture().thenCompose(next -> unlinkAndContinue(cmd, args, next, total));
    });
  }

  /** PUBLISH of {@code message} on {@code channel}. */
  public CompletableFuture<Void> publish(String channel, String message) {
    RedisClusterAsyncCommands<String, String> cmd = commands;
    if (cmd == null || closed) {
      return CompletableFuture.failedFuture(notConnected());
    }
    return cmd.publish(channel, message).toCompletableFuture().thenApply(n -> null);
  }

  private NotConnectedException notConnected() {
    return new NotConnectedException("Redis tier '" + name + "' is "
        + (closed ? "closed" : "not connected to " + backend.description()));
  }

  /** A write cancelled by the tier because it missed its budget; cheap, without a stack trace. */
  public static final class WriteTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WriteTimeoutException(String message) {
      super(message, null, false, false);
    }
  }

  /** An operation while the tier has no connection; cheap, without a stack trace. */
  public static final class NotConnectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConnectedException(String message) {
      super(message, null, false, false);
    }
  }
}
