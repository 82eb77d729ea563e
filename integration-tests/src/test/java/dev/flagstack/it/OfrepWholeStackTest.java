package dev.flagstack.it;

import dev.flagstack.spi.FlagStore;
import dev.flagstack.store.rest.RestFlagStore;
import java.time.Duration;

/** The whole stack with the reference service as an OFREP (REST) primary. */
class OfrepWholeStackTest extends WholeStackDisasterTest {
  @Override
  FlagStore primaryStore(Duration callTimeout) {
    return RestFlagStore.builder().name("flags-ofrep").baseUrl(service.ofrepBaseUrl())
        .callTimeout(callTimeout).build();
  }

  @Override
  String primaryName() {
    return "flags-ofrep";
  }
}
