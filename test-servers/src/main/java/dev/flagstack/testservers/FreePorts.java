package dev.flagstack.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds TCP ports on the loopback interface that nothing listens on right now. */
public final class FreePorts {
  private FreePorts() {}

  /** A port that was free a moment ago (the OS picks it). */
  public static int find() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** A free port {@code p} such that {@code p + offset} is free too (a Redis Cluster bus port is p + 10000). */
  public static int findWithCompanion(int offset) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = find();
      if (port + offset <= 65_535 && isFree(port + offset)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port p with p + " + offset + " free too");
  }

  /** Whether {@code port} can be bound on the loopback interface now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
