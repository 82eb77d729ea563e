package dev.flagstack.examples.reference;

import dev.flagstack.store.grpc.v1.ChangeEvent;
import dev.flagstack.store.grpc.v1.WatchChangesRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The server side of {@code WatchChanges}: remembers the last {@value #HISTORY} changes of this process's
 * version sequence, replays those a reconnecting client missed, and pushes every new change to every open
 * stream at once. The epoch is random per process: a restarted process has no history, so its clients
 * are told that everything changed.
 */
final class ChangeHub {
  static final int HISTORY = 1024;
  static final int MAX_KEYS = 1000;

  private final String epoch = UUID.randomUUID().toString();
  private final Deque<ChangeEvent> history = new ArrayDeque<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private long version;

  /** Records a change of {@code keys} reaching {@code newVersion}, and pushes it to every open stream. */
  synchronized void changed(long newVersion, Set<String> keys) {
    version = newVersion;
    ChangeEvent event = keys.size() > MAX_KEYS
        ? ChangeEvent.newBuilder().setEpoch(epoch).setVersion(newVersion).setEverything(true).build()
        : ChangeEvent.newBuilder().setEpoch(epoch).setVersion(newVersion).addAllFlagKeys(keys).build();
    history.addLast(event);
    if (history.size() > HISTORY) {
      history.removeFirst();
    }
    for (Watcher w : watchers) {
      w.send(event);
    }
  }

  /** Opens a stream: replays what the client missed if this process still has it, else says everything. */
  synchronized void watch(WatchChangesRequest request, ServerCallStreamObserver<ChangeEvent> observer) {
    Watcher watcher = new Watcher(observer);
    observer.setOnCancelHandler(() -> watchers.remove(watcher));
    List<ChangeEvent> replay = replayAfter(request);
    if (replay == null) {
      watcher.send(ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).setEverything(true).build());
    } else if (replay.isEmpty()) {
      watcher.send(heartbeat());
    } else {
      replay.forEach(watcher::send);
    }
    watchers.add(watcher);
  }

  /** Sends the current version to every stream, so idle streams are seen to be alive. */
  synchronized void sendHeartbeats() {
    ChangeEvent beat = heartbeat();
    for (Watcher w : watchers) {
      w.send(beat);
    }
  }

  /** Ends every open stream (the service is stopping); clients reconnect and resume from their version. */
  synchronized void closeAll() {
    for (Watcher w : watchers) {
      w.close();
    }
    watchers.clear();
  }

  private ChangeEvent heartbeat() {
    return ChangeEvent.newBuilder().setEpoch(epoch).setVersion(version).build();
  }

  /** The events after the client's position, or null if this process cannot prove it has them all. */
  private List<ChangeEvent> replayAfter(WatchChangesRequest request) {
    if (!epoch.equals(request.getEpoch())) {
      return null;
    }
    long since = request.getSinceVersion();
    if (since == version) {
      return List.of();
    }
    if (since > version || history.isEmpty() || history.peekFirst().getVersion() > since + 1) {
      return null;
    }
    List<ChangeEvent> missed = new ArrayList<>();
    for (ChangeEvent e : history) {
      if (e.getVersion() > since) {
        missed.add(e);
      }
    }
    return missed;
  }

  /** One client stream; gRPC's observers are not thread-safe, so every send holds its lock. */
  private static final class Watcher {
    private final ServerCallStreamObserver<ChangeEvent> observer;
    private boolean closed;

    Watcher(ServerCallStreamObserver<ChangeEvent> observer) {
      this.observer = observer;
    }

    synchronized void send(ChangeEvent event) {
      if (closed || observer.isCancelled()) {
        return;
      }
      try {
        observer.onNext(event);
      } catch (RuntimeException e) {
        closed = true;
      }
    }

    synchronized void close() {
      if (!closed) {
        closed = true;
        try {
          observer.onError(io.grpc.Status.UNAVAILABLE.withDescription("server stopping").asRuntimeException());
        } catch (RuntimeException ignored) {
          // already cancelled by the client
        }
      }
    }
  }
}
