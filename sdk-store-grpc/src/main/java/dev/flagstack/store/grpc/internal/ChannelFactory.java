package dev.flagstack.store.grpc.internal;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Builds the channel of a store that was given a target rather than a channel. */
public final class ChannelFactory {
  private ChannelFactory() {}

  /** What a built channel needs; null fields take gRPC's own defaults. */
  public static final class Spec {
    public String target;
    public boolean plaintext;
    public byte[] trustCertificates;
    public Duration keepAliveTime;
    public Duration keepAliveTimeout;
    public int maxInboundMessageSize;
    public Executor executor;
  }

  /**
   * A channel for {@code spec}. It connects lazily, on the first call: building never waits for the
   * server.
   *
   * @throws IllegalArgumentException if the target cannot be resolved by any name resolver
   */
  public static ManagedChannel build(Spec spec) {
    ChannelCredentials credentials;
    if (spec.plaintext) {
      credentials = InsecureChannelCredentials.create();
    } else if (spec.trustCertificates != null) {
      try {
        credentials = TlsChannelCredentials.newBuilder()
            .trustManager(new ByteArrayInputStream(spec.trustCertificates))
            .build();
      } catch (IOException e) {
        throw new IllegalArgumentException("trustCertificates cannot be used: " + e.getMessage(), e);
      }
    } else {
      credentials = TlsChannelCredentials.create();
    }
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(spec.target, credentials)
        .maxInboundMessageSize(spec.maxInboundMessageSize)
        .userAgent("flagstack");
    if (spec.keepAliveTime != null) {
      builder.keepAliveTime(spec.keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(spec.keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (spec.executor != null) {
      builder.executor(spec.executor);
    }
    return builder.build();
  }

  /**
   * The PEM certificates in {@code file}, checked to hold at least one X.509 certificate.
   *
   * @throws IllegalArgumentException if the file cannot be read or holds no certificate
   */
  public static byte[] readTrustCertificates(Path file) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("trustCertificates cannot read " + file + ": " + e, e);
    }
    int count;
    try {
      count = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).size();
    } catch (CertificateException e) {
      throw new IllegalArgumentException("trustCertificates " + file + " is not a PEM file of X.509 certificates: "
          + e.getMessage(), e);
    }
    if (count == 0) {
      throw new IllegalArgumentException("trustCertificates " + file + " holds no certificate");
    }
    return pem;
  }
}
