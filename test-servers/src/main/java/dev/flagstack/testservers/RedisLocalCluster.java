package dev.flagstack.testservers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small local Redis Cluster: N masters (no replicas) as child processes on free ports, slots split
 * evenly with {@code CLUSTER ADDSLOTS}, joined with {@code CLUSTER MEET}, ready once every node reports
 * {@code cluster_state:ok}. Uses {@link RedisWire}, so it needs no redis-cli.
 */
public final class RedisLocalCluster implements AutoCloseable {
  private static final int SLOTS = 16_384;
  private final List<RedisLocalServer> nodes;

  private RedisLocalCluster(List<RedisLocalServer> nodes) {
    this.nodes = nodes;
  }

  /** Starts {@code masters} nodes and waits (up to 30 s) until the cluster is healthy. */
  public static RedisLocalCluster start(int masters) {
    if (masters < 1) {
      throw new IllegalArgumentException("masters must be at least 1, was " + masters);
    }
    List<RedisLocalServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < masters; i++) {
        int port = FreePorts.findWithCompanion(10_000);
        nodes.add(RedisLocalServer.start(port, null, List.of(
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes-" + port + ".conf",
            "--cluster-node-timeout", "2000")));
      }
      RedisLocalCluster cluster = new RedisLocalCluster(List.copyOf(nodes));
      cluster.form();
      return cluster;
    } catch (RuntimeException | Error e) {
      nodes.forEach(RedisLocalServer::stop);
      throw e;
    }
  }

  private void form() {
    int n = nodes.size();
    for (int i = 0; i < n; i++) {
      RedisLocalServer node = nodes.get(i);
      int from = i * SLOTS / n;
      int to = (i + 1) * SLOTS / n;
      List<String> args = new ArrayList<>(to - from + 2);
      args.add("CLUSTER");
      args.add("ADDSLOTS");
      for (int slot = from; slot < to; slot++) {
        args.add(Integer.toString(slot));
      }
      try (RedisWire wire = new RedisWire(node.host(), node.port(), 5_000)) {
        wire.command("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
        wire.command(args);
      }
    }
    RedisLocalServer first = nodes.get(0);
    try (RedisWire wire = new RedisWire(first.host(), first.port(), 5_000)) {
      for (int i = 1; i < n; i++) {
        wire.command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!healthy()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("local Redis Cluster did not become healthy within 30 s: " + nodes);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private boolean healthy() {
    for (RedisLocalServer node : nodes) {
      String info = (String) RedisWire.call(node.host(), node.port(), null, "CLUSTER", "INFO");
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + nodes.size())) {
        return false;
      }
    }
    return true;
  }

  /** The nodes, each a controllable {@link RedisLocalServer}. */
  public List<RedisLocalServer> nodes() {
    return nodes;
  }

  /** Seed URIs such as {@code redis://127.0.0.1:7000}, one per node. */
  public List<String> uris() {
    List<String> uris = new ArrayList<>();
    for (RedisLocalServer node : nodes) {
      uris.add("redis://" + node.host() + ":" + node.port());
    }
    return uris;
  }

  /** Stops every node. Idempotent. */
  @Override
  public void close() {
    nodes.forEach(RedisLocalServer::stop);
  }
}
