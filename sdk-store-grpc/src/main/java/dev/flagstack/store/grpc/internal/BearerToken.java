package dev.flagstack.store.grpc.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An optional bearer token: sent as {@code authorization: Bearer <token>} on every call, and kept out of
 * every message. Its {@link #toString()} never shows it.
 */
public final class BearerToken implements ClientInterceptor {
  private static final BearerToken NONE = new BearerToken(null);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String MASK = "*****";

  private final String token;
  private final String header;

  private BearerToken(String token) {
    this.token = token;
    this.header = token == null ? null : "Bearer " + token;
  }

  /** No token: calls carry no authorization header. */
  public static BearerToken none() {
    return NONE;
  }

  /** A token already checked by {@link #check}. */
  public static BearerToken of(String token) {
    return new BearerToken(token);
  }

  /**
   * Checks a token without ever quoting it: visible ASCII only, as an HTTP/2 header value needs.
   *
   * @throws IllegalArgumentException naming the position of the first bad character
   */
  public static String check(String token) {
    if (token.isEmpty()) {
      throw new IllegalArgumentException("bearerToken must not be empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException("bearerToken must hold visible ASCII characters only; the character at"
            + " index " + i + " of " + token.length() + " is not (the token is not shown)");
      }
    }
    return token;
  }

  /** Whether there is a token. */
  public boolean isSet() {
    return token != null;
  }

  /** {@code text} with the token masked; null stays null. */
  public String redact(String text) {
    if (token == null || text == null) {
      return text;
    }
    return text.replace(token, MASK);
  }

  /** {@code error} if no message in its cause chain holds the token, else null. */
  public Throwable safeCause(Throwable error) {
    if (token == null || error == null) {
      return error;
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      if (String.valueOf(t).contains(token)) {
        return null;
      }
    }
    return error;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
    if (header == null) {
      return call;
    }
    return new ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(call) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        headers.put(AUTHORIZATION, header);
        super.start(responseListener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return token == null ? "none" : "set";
  }
}
