package dev.flagstack.store.rest.internal;

import java.util.Map;

/** The answer to a change poll: nothing changed (a 304), or every flag's evaluation with the reply's ETag. */
public final class PollReply {
  static final PollReply NOT_MODIFIED = new PollReply(null, null);
  /** The longest ETag kept; a longer one is not sent back, and polls go on without If-None-Match. */
  static final int MAX_ETAG_LENGTH = 1024;

  /** Every flag's evaluation for the probe context, or null when the server said nothing changed. */
  public final Map<String, Evaluation> flags;
  /** The reply's ETag, or null when it sent none or one that cannot be sent back as a header. */
  public final String etag;

  private PollReply(Map<String, Evaluation> flags, String etag) {
    this.flags = flags;
    this.etag = etag;
  }

  static PollReply of(Map<String, Evaluation> flags, String etagHeader) {
    return new PollReply(flags, usable(etagHeader));
  }

  /** Whether the server answered 304 Not Modified. */
  public boolean notModified() {
    return flags == null;
  }

  /** The ETag if it can go back in If-None-Match as is: 1 to 1024 visible ASCII characters or spaces. */
  private static String usable(String etag) {
    if (etag == null || etag.isBlank() || etag.length() > MAX_ETAG_LENGTH) {
      return null;
    }
    for (int i = 0; i < etag.length(); i++) {
      char c = etag.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return null;
      }
    }
    return etag.trim();
  }
}
