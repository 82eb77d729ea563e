package dev.flagstack.store.jdbc;

import static dev.flagstack.store.jdbc.PgFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import dev.flagstack.testservers.PostgresServerExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of flag value, with its edge cases, written by an admin tool as {@link FlagValue#toJson()} into
 * the shipped schema and read back: the value and its type must come back exactly, with or without a
 * {@code value_type}. (With the former {@code jsonb} schema, -0.0 came back as 0.0, 1.0E10 as a LONG,
 * 1e308 and 5e-324 made the definition invalid, and a string holding NUL could not be stored.)
 */
class JdbcValueRoundTripTest {
  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  private static PgFixture fx;
  private static String table;
  private static JdbcFlagStore store;
  private static int n;

  @BeforeAll
  static void setUp() throws Exception {
    fx = new PgFixture(pg);
    fx.createReaderRole();
    table = fx.newFlagsTable();
    store = fx.patientStore(table);
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  static Stream<Arguments> values() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("z", 1L);
    object.put("a.b", 1.0);
    object.put("$set", -0.0);
    object.put("\u00e9\ud83d\ude00", List.of());
    object.put("big", Long.MAX_VALUE);
    object.put("large", 1.0E10);
    object.put("huge", 1e308);
    object.put("tiny", 5e-324);
    object.put("empty", Map.of());
    Object nested = "leaf";
    for (int i = 0; i < 63; i++) {
      nested = List.of(nested);
    }
    return Stream.of(
        FlagValue.of(""), FlagValue.of("nul\u0000in"), FlagValue.of("sep\u2028\u2029"),
        FlagValue.of("\ud83d\ude00 astral"), FlagValue.of("x".repeat(1 << 20)),
        FlagValue.of(Long.MIN_VALUE), FlagValue.of(Long.MAX_VALUE), FlagValue.of((1L << 53) + 1),
        FlagValue.of(1.0), FlagValue.of(-0.0), FlagValue.of(5e-324), FlagValue.of(1e308), FlagValue.of(1.0E10),
        FlagValue.of(0.1), FlagValue.of(-1.5E-7),
        FlagValue.object(object), FlagValue.object(Map.of()), FlagValue.array(List.of()),
        FlagValue.array((List<?>) nested), FlagValue.TRUE)
        .flatMap(v -> Stream.of(Arguments.of(v, true), Arguments.of(v, false)));
  }

  @ParameterizedTest(name = "{index}: typed={1}")
  @MethodSource("values")
  void everyValueComesBackEqualAndOfTheSameType(FlagValue value, boolean typed) throws Exception {
    String key = "v" + (++n);
    fx.insert(table, FlagDefinition.builder().key(key).defaultValue(value).override("e", value).build(),
        typed ? value.type().name().toLowerCase(Locale.ROOT) : null);
    Map<String, FlagValue> read = await(store.getFlags("anyone", Set.of(key)));
    assertThat(read.get(key)).isEqualTo(value);
    assertThat(read.get(key).type()).isEqualTo(value.type());
    Map<String, FlagValue> override = await(store.getFlags("e", Set.of(key)));
    assertThat(override.get(key)).isEqualTo(value);
  }
}
