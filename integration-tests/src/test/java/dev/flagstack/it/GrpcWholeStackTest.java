package dev.flagstack.it;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.store.grpc.GrpcFlagStore;
import java.time.Duration;

/** The whole stack with the reference service as a gRPC ({@code flagstack.v1}) primary. */
class GrpcWholeStackTest extends WholeStackDisasterTest {
  @Override
  FlagStore primaryStore(Duration callTimeout) {
    return GrpcFlagStore.builder().name("flags-grpc").target(service.grpcTarget()).plaintext()
        .callTimeout(callTimeout).build();
  }

  @Override
  String primaryName() {
    return "flags-grpc";
  }
}
