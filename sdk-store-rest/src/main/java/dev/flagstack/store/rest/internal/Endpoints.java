package dev.flagstack.store.rest.internal;

import okhttp3.HttpUrl;

/** The two OFREP URLs under a validated base URL, with flag keys encoded as one path segment of data. */
public final class Endpoints {
  private final HttpUrl base;
  private final HttpUrl bulk;

  private Endpoints(HttpUrl base) {
    this.base = base;
    // OkHttp replaces a trailing empty segment ("https://h/" or ".../api/") rather than appending after it.
    this.bulk = base.newBuilder().addPathSegments("ofrep/v1/evaluate/flags").build();
  }

  /**
   * Validates a base URL: http or https, a host, no user info, query or fragment. Messages never repeat
   * the URL, which may hold credentials.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Endpoints of(String baseUrl) {
    String trimmed = baseUrl.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("baseUrl must not be blank");
    }
    int colon = trimmed.indexOf(':');
    String scheme = colon < 0 ? "" : trimmed.substring(0, colon);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      throw new IllegalArgumentException("baseUrl must start with http:// or https://, had "
          + (colon < 0 ? "no scheme" : "scheme '" + Texts.shorten(scheme) + "'"));
    }
    HttpUrl url = HttpUrl.parse(trimmed);
    if (url == null) {
      throw new IllegalArgumentException("baseUrl is not a valid http(s) URL");
    }
    if (!url.username().isEmpty() || !url.password().isEmpty()) {
      throw new IllegalArgumentException("baseUrl must not contain user info (credentials); "
          + "use bearerToken(...) or apiKey(...) instead, for host " + url.host());
    }
    if (url.encodedQuery() != null) {
      throw new IllegalArgumentException("baseUrl must not have a query, for host " + url.host());
    }
    if (url.encodedFragment() != null) {
      throw new IllegalArgumentException("baseUrl must not have a fragment, for host " + url.host());
    }
    return new Endpoints(url);
  }

  /** {@code POST {base}/ofrep/v1/evaluate/flags} */
  public HttpUrl bulk() {
    return bulk;
  }

  /**
   * {@code POST {base}/ofrep/v1/evaluate/flags/{key}}, the key percent-encoded as a single segment
   * ({@code /}, {@code %}, {@code ?}, {@code #}, spaces and non-ASCII all escaped).
   */
  public HttpUrl single(String flag) {
    return bulk.newBuilder().addPathSegment(flag).build();
  }

  /**
   * Whether {@code flag} can be a path segment: {@code .} and {@code ..} cannot, since URL normalisation
   * (in OkHttp and in servers) removes them whether escaped or not. Such keys go through the bulk call.
   */
  public static boolean fitsInPath(String flag) {
    return !flag.equals(".") && !flag.equals("..");
  }

  /** The base URL for messages and toString: scheme, host, port and path; it cannot hold credentials. */
  @Override
  public String toString() {
    return base.toString();
  }
}
