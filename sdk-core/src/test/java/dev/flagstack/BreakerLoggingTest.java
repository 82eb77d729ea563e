package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each trip is logged once at ERROR with the failures, the last error and the open period, as the seed's onTrip. */
class BreakerLoggingTest {

  @Test
  void eachTripIsLoggedOnceAtErrorAndClosingIsLogged() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    MutableClock clock = new MutableClock();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE).failTransiently();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (FlagClient client = FlagClient.builder().primary(primary).clock(clock).lastKnownGood(false).build()) {
      for (int i = 0; i < 20; i++) {
        client.getBoolean("e" + i, "f", false);
      }
      clock.advance(Duration.ofSeconds(15).plusMillis(1));
      client.getBoolean("probe", "f", false);
      primary.answer();
      clock.advance(Duration.ofSeconds(30).plusMillis(1));
      assertThat(client.getBoolean("probe-2", "f", false)).isTrue();
    } finally {
      System.setErr(original);
    }
    List<String> lines = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains("LayerBreaker")).collect(Collectors.toList());
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("ERROR", "Primary store 'api'", "after 4 consecutive transient failures",
        "last error: StoreException: api is unavailable", "no calls for 15000 ms");
    assertThat(lines.get(1)).contains("ERROR", "probe failed", "no calls for 30000 ms");
    assertThat(lines.get(2)).contains("WARN", "circuit closed");
  }
}
