/** Implementation details of the gRPC store; not an API, may change in any release. */
package dev.flagstack.store.grpc.internal;
