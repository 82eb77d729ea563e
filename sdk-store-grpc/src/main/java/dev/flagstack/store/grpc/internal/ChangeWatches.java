package dev.flagstack.store.grpc.internal;

import dev.flagstack.spi.FlagChangeListener;
import dev.flagstack.store.grpc.v1.FlagServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The change watches of one store and the one daemon thread that opens and reopens their streams and
 * checks them for silence. The thread is created by the first watch, so a store nobody watches has none;
 * {@link #closeAll()} stops every watch and the thread.
 */
public final class ChangeWatches {
  private final String storeName;
  private final FlagServiceGrpc.FlagServiceStub stub;
  private final ManagedChannel channel;
  private final StatusClassifier classifier;
  private final WatchTiming timing;
  private final Set<ChangeWatch> active = ConcurrentHashMap.newKeySet();
  // Guarded by this.
  private ScheduledThreadPoolExecutor scheduler;
  private boolean closed;

  /** Watches over {@code stub} (the store's, with its token and executor); {@code channel} may be null. */
  public ChangeWatches(String storeName, FlagServiceGrpc.FlagServiceStub stub, ManagedChannel channel,
      StatusClassifier classifier, WatchTiming timing) {
    this.storeName = storeName;
    this.stub = stub;
    this.channel = channel;
    this.classifier = classifier;
    this.timing = timing;
  }

  /**
   * A started watch delivering to {@code listener}.
   *
   * @throws IllegalStateException if the store is closed
   */
  public synchronized ChangeWatch start(FlagChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      throw new IllegalStateException("grpc store '" + storeName + "' is closed");
    }
    if (scheduler == null) {
      scheduler = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "flagstack-grpc-watch-" + storeName);
        t.setDaemon(true);
        return t;
      });
      scheduler.setRemoveOnCancelPolicy(true);
      scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }
    ChangeWatch watch = new ChangeWatch(storeName, stub, channel, classifier, scheduler, timing, listener, active::remove);
    active.add(watch);
    watch.start();
    return watch;
  }

  /** Closes every watch and stops the thread; later {@link #start} calls fail. Idempotent. */
  public void closeAll() {
    ScheduledThreadPoolExecutor s;
    synchronized (this) {
      closed = true;
      s = scheduler;
    }
    for (ChangeWatch watch : new ArrayList<>(active)) {
      watch.close();
    }
    if (s != null) {
      s.shutdownNow();
    }
  }
}
