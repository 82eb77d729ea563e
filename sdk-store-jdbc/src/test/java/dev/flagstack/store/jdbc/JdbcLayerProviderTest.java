package dev.flagstack.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClientConfig;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testservers.PostgresServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Type {@code postgres} through the configuration, against a real PostgreSQL server and the shipped schema. */
class JdbcLayerProviderTest {
  private static final String SECRET = "Cfg-Pg-Pa55-s3cret";

  @RegisterExtension
  static final PostgresServerExtension pg = new PostgresServerExtension();

  private PgFixture fx;

  @BeforeEach
  void setUp() {
    fx = new PgFixture(pg);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private static ConfiguredFlagClient build(Map<String, String> postgresSettings) {
    Map<String, String> all = new HashMap<>();
    all.put("flagstack.primary.type", "postgres");
    postgresSettings.forEach((k, v) -> all.put("flagstack.primary.postgres." + k, v));
    return FlagClientConfig.fromMap(all).build();
  }

  @Test
  void aConfiguredPostgresPrimaryReadsItsTable() throws Exception {
    fx.createReaderRole();
    String table = fx.newFlagsTable();
    fx.insert(table, FlagDefinition.builder().key("banner").defaultValue(FlagValue.of("blue"))
        .override("tenant-42", FlagValue.of("red")).build(), "string");
    String name = fx.newName();
    Map<String, String> settings = new HashMap<>();
    settings.put("jdbc-url", pg.jdbcUrl());
    settings.put("username", PgFixture.READER);
    settings.put("password", PgFixture.READER_PASSWORD);
    settings.put("table", table);
    settings.put("name", name);
    settings.put("call-timeout", "8s");
    settings.put("pool-wait-timeout", "2s");
    settings.put("connect-timeout", "2s");
    settings.put("query-timeout", "3s");
    settings.put("read-timeout", "4s");
    settings.put("executor-threads", "2");
    settings.put("queue-capacity", "16");
    try (ConfiguredFlagClient configured = build(settings)) {
      assertThat(configured.primary()).isInstanceOf(JdbcFlagStore.class);
      assertThat(configured.primary().name()).isEqualTo(name);
      assertThat(configured.primary().callTimeout()).isEqualTo(Duration.ofSeconds(8));
      assertThat(configured.primary().toString()).contains("table=" + table);
      fx.awaitConnected((JdbcFlagStore) configured.primary());
      assertThat(configured.client().getFlagDetail("tenant-42", "banner", FlagValue.of("default")))
          .satisfies(d -> assertThat(d.value()).isEqualTo(FlagValue.of("red")))
          .satisfies(d -> assertThat(d.source()).isEqualTo(FlagSource.PRIMARY));
      assertThat(configured.client().getString("tenant-43", "banner", "default")).isEqualTo("blue");
      assertThat(configured.client().getString("tenant-43", "no-such-flag", "default")).isEqualTo("default");
      assertThat(configured.toString()).doesNotContain(PgFixture.READER_PASSWORD);
    }
  }

  @Test
  void aMissingJdbcUrlNamesTheKey() {
    assertThatThrownBy(() -> build(Map.of("username", "reader", "password", SECRET)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.postgres.jdbc-url is required")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET));
  }

  @Test
  void aMalformedJdbcUrlNamesTheKeyAndNeverShowsThePassword() {
    for (String bad : new String[] {"jdbc:mysql://reader:" + SECRET + "@db1/app",
        "postgres://reader:" + SECRET + "@db1:5432/app",
        "jdbc:postgresql://reader:" + SECRET + "@db1:notaport/app",
        "jdbc:postgresql://db1:notaport/app?user=reader&password=" + SECRET}) {
      assertThatThrownBy(() -> build(Map.of("jdbc-url", bad, "password", SECRET)))
          .as(bad)
          .isInstanceOf(FlagConfigurationException.class)
          .hasMessageStartingWith("flagstack.primary.postgres.jdbc-url is invalid: jdbcUrl must be a valid PostgreSQL "
              + "JDBC URL")
          .hasMessageEndingWith("(value not shown)")
          .hasNoCause()
          .satisfies(e -> assertThat(((FlagConfigurationException) e).key())
              .isEqualTo("flagstack.primary.postgres.jdbc-url"))
          .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET));
    }
  }

  @Test
  void aMalformedOrRefusedSettingNamesTheKeyAndTheValue() {
    String url = "jdbc:postgresql://127.0.0.1:5432/app";
    assertThatThrownBy(() -> build(Map.of("jdbc-url", url, "password", SECRET, "table", "flags; drop table x")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.postgres.table is invalid: table must be name or schema.name")
        .hasMessageEndingWith("was 'flags; drop table x'")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET));
    assertThatThrownBy(() -> build(Map.of("jdbc-url", url, "query-timeout", "fast")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("flagstack.primary.postgres.query-timeout ")
        .hasMessageEndingWith("was 'fast'");
    assertThatThrownBy(() -> build(Map.of("jdbc-url", url, "connect-timeout", "1500ms")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.postgres.connect-timeout is invalid: connectTimeout must be a whole number of "
            + "seconds from 1 to 3600 (the driver's unit), was PT1.5S");
    assertThatThrownBy(() -> build(Map.of("jdbc-url", url, "executor-threads", "0")))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessage("flagstack.primary.postgres.executor-threads is invalid: executorThreads must be between 1 and 256, "
            + "was 0");
  }

  @Test
  void anUnknownKeyIsNamedWithTheKeysOfTheType() {
    fx.createReaderRole();
    assertThatThrownBy(() -> build(Map.of("jdbc-url", pg.jdbcUrl(), "username", PgFixture.READER,
        "pasword", SECRET)))
        .isInstanceOf(FlagConfigurationException.class)
        .hasMessageStartingWith("unknown key flagstack.primary.postgres.pasword for type 'postgres'; its keys are: "
            + "jdbc-url, username, password, ")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(SECRET));
  }
}
