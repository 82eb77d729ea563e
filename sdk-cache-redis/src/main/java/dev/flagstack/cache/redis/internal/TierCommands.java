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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tier's data path: the Redis commands behind lookups, writes, deletes and publishes, over the data
 * connection once it is open. Without a connection every operation fails at once with a cheap
 * {@link NotConnectedException}.
 */
public final class TierCommands {
  private static final Logger log = LoggerFactory.getLogger(TierCommands.class);

  private final String name;
  private final long ttlMillis;
  private final KeyCodec keys;
  private final RedisBackend backend;
  private volatile StatefulConnection<String, String> connection;
  private volatile RedisClusterAsyncCommands<String, String> commands;
  private volatile boolean closed;

  /** The data path of the tier {@code name}, writing entries that live {@code ttlMillis}. */
  public TierCommands(String name, long ttlMillis, KeyCodec keys, RedisBackend backend) {
    this.name = name;
    this.ttlMillis = ttlMillis;
    this.keys = keys;
    this.backend = backend;
  }

  /** Starts using {@code c}, a connection from the backend. */
  public void connected(StatefulConnection<String, String> c) {
    connection = c;
    commands = backend.commands(c);
  }

  /** Fails every later operation at once. */
  public void close() {
    closed = true;
    commands = null;
    connection = null;
  }

  /** One MGET for the whole batch; a malformed stored value is absent from the result. */
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
          FlagValue value = ValueCodec.decode(kv.getValue());
          if (value != null) {
            values.put(names.get(i), value);
          } else if (log.isDebugEnabled()) {
            log.debug("Redis tier '{}': ignoring a malformed value at key {}", name, kv.getKey());
          }
        }
      }
      return values;
    });
  }

  /** SET PX for each value, written together with one flush (pipelined). */
  public CompletableFuture<Void> putAll(String entity, Map<String, FlagValue> values) {
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
          .addKey(key).addValue(ValueCodec.encode(e.getValue()));
      px.build(args);
      AsyncCommand<String, String, String> set = new AsyncCommand<>(
          new Command<>(CommandType.SET, new StatusOutput<>(StringCodec.UTF8), args));
      batch.add(set);
      replies.add(set);
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    c.dispatch(batch);
    return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]));
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

  /** An operation while the tier has no connection; cheap, without a stack trace. */
  public static final class NotConnectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConnectedException(String message) {
      super(message, null, false, false);
    }
  }
}
