package dev.flagstack.store.rest.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes at most {@code limit} bytes through and fails on the first byte past it, so an oversized or
 * endless body costs at most {@code limit} bytes of reading and never the memory to hold it all.
 */
final class BoundedInputStream extends FilterInputStream {
  private final long limit;
  private long read;

  BoundedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    // Ask for one byte more than the limit allows, so a body of exactly limit + 1 bytes is caught.
    long allowed = limit - read + 1;
    int n = in.read(buffer, offset, (int) Math.min(length, Math.max(1, allowed)));
    if (n > 0) {
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, limit - read + 1));
    count(skipped);
    return skipped;
  }

  private void count(long n) throws BadReplyException {
    read += n;
    if (read > limit) {
      throw tooLarge(limit);
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  static BadReplyException tooLarge(long limit) {
    return new BadReplyException("the reply is larger than maxResponseBytes (" + limit + " bytes)");
  }
}
