/**
 * The primary flag store over gRPC: {@link dev.flagstack.store.grpc.GrpcFlagStore}, speaking the
 * {@code flagstack.v1} protocol whose generated messages and stubs are in {@code dev.flagstack.store.grpc.v1}.
 * Parameters and return values are non-null unless a method says otherwise.
 */
package dev.flagstack.store.grpc;
