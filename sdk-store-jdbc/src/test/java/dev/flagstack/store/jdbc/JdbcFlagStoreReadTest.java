package dev.flagstack.store.jdbc;

import static dev.flagstack.store.jdbc.PgFixture.await;
import static dev.flagstack.store.jdbc.PgFixture.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagErrorKind;
import dev.flagstack.FlagValue;
import dev.flagstack.Rollout;
import dev.flagstack.spi.StoreException;
import dev.flagstack.testservers.PostgresServerExtension;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the store reads from a real PostgreSQL server: values, odd ids, batches and rows of the wrong shape. */
class JdbcFlagStoreReadTest {
  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  private PgFixture fx;
  private String table;
  private JdbcFlagStore store;

  @BeforeEach
  void setUp() throws Exception {
    fx = new PgFixture(pg);
    fx.createReaderRole();
    table = fx.newFlagsTable();
    store = fx.patientStore(table);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private Map<String, FlagValue> read(String entity, String... flags) throws Exception {
    return await(store.getFlags(entity, new LinkedHashSet<>(List.of(flags))));
  }

  private static FlagDefinition.Builder flag(String key, FlagValue defaultValue) {
    return FlagDefinition.builder().key(key).defaultValue(defaultValue);
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation

  @Test
  void defaultIsServedToEntitiesWithoutOverride() throws Exception {
    fx.insert(table, flag("banner", FlagValue.of("blue")).build(), "string");
    assertThat(read("anyone", "banner")).containsExactly(Map.entry("banner", FlagValue.of("blue")));
  }

  @Test
  void overrideIsServedToItsEntityOnly() throws Exception {
    fx.insert(table, flag("banner", FlagValue.of("blue")).override("tenant-42", FlagValue.of("red")).build(), null);
    assertThat(read("tenant-42", "banner")).containsEntry("banner", FlagValue.of("red"));
    assertThat(read("tenant-43", "banner")).containsEntry("banner", FlagValue.of("blue"));
    assertThat(read("TENANT-42", "banner")).as("ids are compared exactly").containsEntry("banner", FlagValue.of("blue"));
  }

  @Test
  void rolloutFollowsTheDocumentedBucketForEveryEntity() throws Exception {
    fx.insert(table, flag("new-checkout", FlagValue.FALSE).override("vip-0", FlagValue.FALSE)
        .rollout(Rollout.ofPercentage(30, FlagValue.TRUE)).build(), "boolean");
    int in = 0;
    for (int i = 0; i < 300; i++) {
      String entity = "vip-" + i;
      boolean expected = i != 0 && FlagDefinition.bucket("new-checkout", entity) < 3000;
      boolean actual = read(entity, "new-checkout").get("new-checkout").booleanValue();
      assertThat(actual).as("entity %s", entity).isEqualTo(expected);
      in += actual ? 1 : 0;
    }
    assertThat(in).isBetween(60, 120);
  }

  @Test
  void definitionsReadBackEqualToWhatWasWritten() throws Exception {
    FlagDefinition def = flag("limits", FlagValue.fromJson("{\"max\":5,\"tags\":[\"a\",\"b\"],\"none\":null}"))
        .override("acme", FlagValue.fromJson("[1,\"two\",3.5]"))
        .rollout(Rollout.ofBasisPoints(1250, FlagValue.fromJson("{\"max\":9}")))
        .build();
    fx.insert(table, def, "json");
    assertThat(await(store.getDefinitions(Set.of("limits")))).containsExactly(Map.entry("limits", def));
  }

  @Test
  void everyValueTypeIsReadAsTheMatchingFlagValue() throws Exception {
    fx.insertRaw(table, "bool", null, "true", null, null, null);
    fx.insertRaw(table, "long", null, "9007199254740993", null, null, null);
    fx.insertRaw(table, "double", null, "0.25", null, null, null);
    fx.insertRaw(table, "one-point-zero", null, "1.0", null, null, null);
    fx.insertRaw(table, "forced-double", "double", "3", "{\"e\": 4}", null, null);
    fx.insertRaw(table, "string", null, "\"x \\\" y\"", null, null, null);
    fx.insertRaw(table, "object", null, "{\"limit\": 5, \"tags\": [\"a\", \"b\"], \"none\": null}", null, null, null);
    fx.insertRaw(table, "array", null, "[1, \"two\", 3.5]", null, null, null);
    Map<String, FlagValue> values = read("e",
        "bool", "long", "double", "one-point-zero", "forced-double", "string", "object", "array");
    assertThat(values).containsEntry("bool", FlagValue.TRUE)
        .containsEntry("long", FlagValue.of(9007199254740993L))
        .containsEntry("double", FlagValue.of(0.25))
        .containsEntry("one-point-zero", FlagValue.of(1.0))
        .containsEntry("forced-double", FlagValue.of(4.0))
        .containsEntry("string", FlagValue.of("x \" y"))
        .containsEntry("array", FlagValue.fromJson("[1,\"two\",3.5]"));
    assertThat(values.get("object")).isEqualTo(FlagValue.fromJson("{\"limit\":5,\"tags\":[\"a\",\"b\"],\"none\":null}"));
  }

  // ---------------------------------------------------------------------------------------------
  // Ids are data

  static final List<String> ODD_IDS = List.of(
      "it's", "\"double\"", "back\\slash", "\\N", "50%", "%", "_", "a_c", "a,b", "{braces}", "NULL", "null",
      " spaced ", "ünïcødé 🚀 旗", "'; DROP TABLE flagstack_flags; --", "x".repeat(256), "$1", "?", "ANY(?)",
      "e\u0301", "\uD83D\uDE80");

  @Test
  void oddIdsAreDataAsFlagKeysAndAsEntities() throws Exception {
    for (String id : ODD_IDS) {
      fx.insert(table, flag(id, FlagValue.of("value of " + id.length() + ":" + id.codePointAt(0)))
          .override(id, FlagValue.of("override")).build(), "string");
    }
    // Decoys that a LIKE, a case-folding or a normalising comparison would wrongly match.
    for (String decoy : List.of("abc", "a%c", "It's", "NUL", "é", "x")) {
      fx.insert(table, flag(decoy, FlagValue.of("decoy")).build(), null);
    }
    Map<String, FlagValue> values = await(store.getFlags("plain", new LinkedHashSet<>(ODD_IDS)));
    assertThat(values).hasSize(ODD_IDS.size());
    for (String id : ODD_IDS) {
      assertThat(values.get(id)).as(id).isEqualTo(FlagValue.of("value of " + id.length() + ":" + id.codePointAt(0)));
      assertThat(read(id, id)).as("override for %s", id).containsEntry(id, FlagValue.of("override"));
    }
    assertThat(read("plain", "a_c", "%", "_")).doesNotContainValue(FlagValue.of("decoy"));
    assertThat(read("plain", "A_C", "IT'S", "NULL ")).as("no case folding, no trimming").isEmpty();
  }

  @Test
  void nulInAnIdIsAnInvalidRequestThatNeverReachesTheServer() throws Exception {
    Throwable error = failureOf(store.getFlags("e", Set.of("a\0b")));
    assertThat(error).isInstanceOf(StoreException.class).hasMessageContaining("NUL");
    assertThat(((StoreException) error).errorKind()).isEqualTo(FlagErrorKind.INVALID_REQUEST);
  }

  // ---------------------------------------------------------------------------------------------
  // Batches

  @Test
  void thousandFlagsAreOneQueryWithTheIdsBoundNeverInTheSql() throws Exception {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < 1000; i++) {
      String key = i % 10 == 0 ? "odd'%_\\-" + i : "flag-" + i;
      keys.add(key);
      if (i % 2 == 0) {
        fx.insertRaw(table, key, null, Integer.toString(i), null, null, null);
      }
    }
    CountingDataSource counting = CountingDataSource.over(pg, PgFixture.READER, PgFixture.READER_PASSWORD);
    try (JdbcFlagStore supplied = JdbcFlagStore.builder().dataSource(counting.dataSource()).table(table).build()) {
      PgFixture.warm(supplied);
      counting.reset();
      Map<String, FlagDefinition> defs = await(supplied.getDefinitions(keys));

      assertThat(defs).hasSize(500);
      assertThat(defs.get("odd'%_\\-0").defaultValue()).isEqualTo(FlagValue.of(0));
      assertThat(defs.get("flag-998").defaultValue()).isEqualTo(FlagValue.of(998));
      assertThat(defs).doesNotContainKey("flag-999");
      assertThat(counting.statements()).hasSize(1);
      String sql = counting.statements().get(0);
      assertThat(sql).contains("= ANY(?").doesNotContain("flag-").doesNotContain("odd'");
      assertThat(counting.connections()).isEqualTo(1);
    } finally {
      counting.close();
    }
  }

  @Test
  void unknownFlagIsAbsentNotAnError() throws Exception {
    fx.insertRaw(table, "known", null, "true", null, null, null);
    assertThat(read("e", "known", "unknown")).containsOnlyKeys("known");
    assertThat(read("e", "unknown")).isEmpty();
    assertThat(await(store.getDefinitions(Set.of()))).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Wrong shapes

  static List<Arguments> wrongShapes() {
    return List.of(
        Arguments.of(null, "{not json", null, null, null, "default_value is not a valid flag value"),
        Arguments.of(null, null, null, null, null, "default_value is missing"),
        Arguments.of(null, "null", null, null, null, "flag value cannot be JSON null"),
        Arguments.of(null, "12345678901234567890", null, null, null, "outside the 64-bit range"),
        Arguments.of("color", "\"x\"", null, null, null, "value_type must be one of"),
        Arguments.of("long", "\"x\"", null, null, null, "default_value is STRING, but value_type is 'long'"),
        Arguments.of(null, "true", "[1, 2]", null, null, "overrides must be a JSON object"),
        Arguments.of(null, "true", "{\"e\": \"yes\"}", null, null,
            "override for entity 'e' of flag 'bad' is STRING, but the default is BOOLEAN"),
        Arguments.of(null, "true", "{\"\": false}", null, null, "overrides has an empty entity id"),
        Arguments.of(null, "true", "{\"e\": null}", null, null, "overrides['e'] is JSON null"),
        Arguments.of(null, "true", "{oops", null, null, "overrides is not valid JSON"),
        Arguments.of(null, "true", null, "12.5", "false", "rollout_basis_points must be an integer"),
        Arguments.of(null, "true", null, "20000", "false", "rollout_basis_points must be from 0 to 10000, was 20000"),
        Arguments.of(null, "true", null, "100", null, "rollout_basis_points and rollout_value must be set together"),
        Arguments.of(null, "true", null, "100", "\"on\"", "rollout value of flag 'bad' is STRING"),
        Arguments.of("double", "1.5", null, "100", "\"on\"", "rollout_value is STRING, but value_type is 'double'"));
  }

  @ParameterizedTest
  @MethodSource("wrongShapes")
  void wrongShapeRowIsANonTransientErrorNamingTheFlag(String type, String value, String overrides, String bp,
      String rolloutValue, String reason) throws Exception {
    String lax = fx.newLaxTable();
    fx.insertRaw(lax, "bad", type, value, overrides, bp, rolloutValue);
    JdbcFlagStore laxStore = fx.patientStore(lax);
    Throwable error = failureOf(laxStore.getFlags("e", Set.of("bad")));
    assertThat(error).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("flag 'bad' has an invalid definition: ")
        .hasMessageContaining(reason);
    assertThat(((StoreException) error).errorKind()).isEqualTo(FlagErrorKind.REJECTED);
  }

  @Test
  void twoRowsForOneKeyAreAnInvalidDefinition() throws Exception {
    String lax = fx.newLaxTable();
    fx.insertRaw(lax, "twice", null, "true", null, null, null);
    fx.insertRaw(lax, "twice", null, "false", null, null, null);
    fx.insertRaw(lax, "once", null, "true", null, null, null);
    JdbcFlagStore laxStore = fx.patientStore(lax);
    assertThat(failureOf(laxStore.getFlags("e", Set.of("twice", "once"))))
        .hasMessage("flag 'twice' has an invalid definition: flag_key has more than one row");
    assertThat(await(laxStore.getFlags("e", Set.of("once")))).containsOnlyKeys("once");
  }

  @Test
  void badRowFailsOnlyBatchesThatAskForItNamingTheFirstBadKey() throws Exception {
    fx.insertRaw(table, "good", null, "true", null, null, null);
    fx.insertRaw(table, "worse", null, "true", "{\"e\": \"yes\"}", null, null);
    fx.insertRaw(table, "bad", null, "true", "{\"e\": 1}", null, null);
    Throwable error = failureOf(store.getFlags("e", Set.of("good", "worse", "bad")));
    assertThat(error).hasMessageStartingWith("flag 'bad' has an invalid definition");
    assertThat(StoreException.isTransient(error)).isFalse();
    assertThat(read("e", "good", "missing")).containsOnlyKeys("good");
  }
}
