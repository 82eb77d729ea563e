package dev.flagstack;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event as a line of text, for assertions. */
public final class RecordingListener extends FlagEventListener {
  public final List<String> resolved = new CopyOnWriteArrayList<>();
  public final List<String> layerFailures = new CopyOnWriteArrayList<>();
  public final List<String> breakerChanges = new CopyOnWriteArrayList<>();
  public final List<String> changes = new CopyOnWriteArrayList<>();

  @Override
  public void flagsChanged(java.util.Set<String> flags) {
    changes.add(new java.util.TreeSet<>(flags).toString());
  }

  @Override
  public void flagResolved(String entity, String flag, FlagSource source, String layer,
      FlagErrorKind errorKind, long nanos) {
    if (nanos < 0) {
      throw new AssertionError("negative latency " + nanos);
    }
    resolved.add(entity + "/" + flag + " " + source + (layer == null ? "" : " " + layer)
        + (errorKind == null ? "" : " " + errorKind));
  }

  @Override
  public void layerFailed(String layer, FlagSource role, Throwable error) {
    layerFailures.add(role + " " + layer + ": " + error.getMessage());
  }

  @Override
  public void breakerStateChanged(String layer, FlagSource role, BreakerState from, BreakerState to,
      Duration openFor) {
    breakerChanges.add(role + " " + layer + " " + from + "->" + to + (openFor == null ? "" : " " + openFor.toSeconds() + "s"));
  }
}
