package dev.flagstack.testservers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking RESP2 client for test fixtures: readiness probes, cluster setup, {@code INFO}. Not for
 * production code, and not thread-safe. Replies map to String (simple and bulk strings), Long, List, or
 * null; an error reply throws {@link RedisWire.ErrorReply}.
 */
public final class RedisWire implements AutoCloseable {
  /** An error reply ({@code -ERR ...}) from the server. */
  public static final class ErrorReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects to {@code host:port} within {@code timeoutMillis}; reads time out after the same. */
  public RedisWire(String host, int port, int timeoutMillis) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
    }
  }

  /** One command on a fresh connection, authenticating first when {@code password} is not null. */
  public static Object call(String host, int port, String password, String... args) {
    try (RedisWire wire = new RedisWire(host, port, 2_000)) {
      if (password != null) {
        wire.command("AUTH", password);
      }
      return wire.command(args);
    }
  }

  /** Sends one command and reads its reply. */
  public Object command(String... args) {
    return command(List.of(args));
  }

  /** Sends one command and reads its reply. */
  public Object command(List<String> args) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      buf.write(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        buf.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        buf.write(bytes);
        buf.write('\r');
        buf.write('\n');
      }
      out.write(buf.toByteArray());
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException("redis command failed: " + args.get(0), e);
    }
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] data = in.readNBytes(length + 2);
        return new String(data, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type byte " + type);
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      sb.append((char) c);
    }
    in.read();
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
