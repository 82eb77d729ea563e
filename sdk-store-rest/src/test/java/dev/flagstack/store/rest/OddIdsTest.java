package dev.flagstack.store.rest;

import static dev.flagstack.store.rest.Ofrep.answer;
import static dev.flagstack.store.rest.Ofrep.flags;
import static dev.flagstack.store.rest.Ofrep.json;
import static dev.flagstack.store.rest.Ofrep.storeFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flag keys and entity ids are data: every odd one reaches the server intact and its answer comes back. */
class OddIdsTest {
  private static final String BULK = "/ofrep/v1/evaluate/flags";

  @StartStop
  final MockWebServer server = new MockWebServer();

  private RestFlagStore store;

  /** Answers a single-flag call with the flag's decoded key as its value; a bulk call with "." and "..". */
  @BeforeEach
  void setUp() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        List<String> segments = request.getUrl().pathSegments();
        if (request.getUrl().encodedPath().equals(BULK)) {
          return json(200, "{\"flags\":[" + Ofrep.success(".", "dot:" + Ofrep.targetingKey(request)) + ","
              + Ofrep.success("..", "dotdot:" + Ofrep.targetingKey(request)) + "]}");
        }
        if (segments.size() != 5) {
          return json(404, "{\"errorCode\":\"GENERAL\",\"errorDetails\":\"wrong path\"}");
        }
        String key = segments.get(4);
        return json(200, Ofrep.success(key, key + "|" + Ofrep.targetingKey(request)));
      }
    });
    store = storeFor(server).build();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "/leading", "trailing/", "a//b", "100%", "%2F", "%2e%2e", "%", "what?x=1", "#hash",
      "with space", " padded ", "tab\u00a0nbsp", "plus+sign", "semi;colon", "a=b&c=d", "quote\"s", "it's",
      "back\\slash", "<tag>", "{braces}", "pipe|", "caret^", "`tick`", "ünïcödé", "日本語", "emoji 🚀", "...", ".hidden",
      "a.b", "$dollar", "~tilde", "@at", ":colon"})
  void oddFlagKeysTravelAsOneEncodedPathSegmentAndRoundTrip(String flag) throws Exception {
    Map<String, FlagValue> values = answer(store.getFlags("tenant-42", flags(flag)));

    assertThat(values).containsExactly(Map.entry(flag, FlagValue.of(flag + "|tenant-42")));
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    String target = request.getTarget();
    assertThat(target).startsWith(BULK + "/").doesNotContain("?", "#", " ");
    assertThat(target.substring(BULK.length() + 1)).doesNotContain("/");
    assertThat(target.chars().allMatch(c -> c > 0x20 && c < 0x7f)).as(target).isTrue();
  }

  @Test
  void theLongestAllowedKeyRoundTrips() {
    String flag = "ü".repeat(256);

    assertThat(answer(store.getFlags("e", flags(flag)))).containsExactly(Map.entry(flag, FlagValue.of(flag + "|e")));
  }

  @ParameterizedTest
  @ValueSource(strings = {".", ".."})
  void dotSegmentKeysGoThroughTheBulkCallBecauseNoPathCanCarryThem(String flag) throws Exception {
    String expected = (flag.equals(".") ? "dot:" : "dotdot:") + "e";

    assertThat(answer(store.getFlags("e", flags(flag)))).containsExactly(Map.entry(flag, FlagValue.of(expected)));
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo(BULK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tenant \"42\"", "back\\slash", "ünïcödé", "日本語", "🚀 rocket", "</script>", "a'b",
      "{\"json\":true}", "%00", "null", "  spaced  ", "\u2028line-separator"})
  void oddEntityIdsTravelAsJsonStringData(String entity) throws Exception {
    assertThat(answer(store.getFlags(entity, flags("f")))).containsExactly(Map.entry("f", FlagValue.of("f|" + entity)));
    assertThat(Ofrep.targetingKey(server.takeRequest(5, TimeUnit.SECONDS))).isEqualTo(entity);
  }

  @Test
  void theLongestAllowedEntityIdRoundTrips() {
    String entity = "é".repeat(256);

    assertThat(answer(store.getFlags(entity, flags("f")))).containsExactly(Map.entry("f", FlagValue.of("f|" + entity)));
  }

  @Test
  void oddKeysThroughARealFlagClient() {
    try (FlagClient client = FlagClient.builder().primary(store).build()) {
      for (String flag : List.of("a/b", "100%", "what?", "#x", "with space", "日本語", "..")) {
        String expected = flag.equals("..") ? "dotdot:tenant \"42\"" : flag + "|tenant \"42\"";
        assertThat(client.getString("tenant \"42\"", flag, "default")).as(flag).isEqualTo(expected);
      }
    }
  }
}
