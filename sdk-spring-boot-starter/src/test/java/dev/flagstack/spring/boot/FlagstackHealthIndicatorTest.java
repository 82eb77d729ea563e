package dev.flagstack.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testing.InMemoryFlagStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The flagstack Actuator health component in real application contexts, over the client's real layers. */
class FlagstackHealthIndicatorTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FlagstackAutoConfiguration.class, FlagstackHealthAutoConfiguration.class))
      .withPropertyValues("flagstack.caches=memory",
          "flagstack.primary.type=test-flags",
          "flagstack.primary.test-flags.name=api",
          "flagstack.primary.test-flags.values=checkout=true");

  private static void readTimes(FlagClient client, int n) {
    for (int i = 0; i < n; i++) {
      client.getFlagDetail("tenant-" + i, "checkout", FlagValue.FALSE);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> detail(Health health, String key) {
    return (Map<String, Object>) health.getDetails().get(key);
  }

  @Test
  void upWhileThePrimaryAnswersWithDetailsPerLayer() {
    runner.run(context -> {
      FlagClient client = context.getBean(FlagClient.class);
      assertThat(client.getFlagDetail("tenant", "checkout", FlagValue.FALSE).source()).isEqualTo(FlagSource.PRIMARY);

      Health health = context.getBean(FlagstackHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("degraded", false).doesNotContainKey("secondary");
      assertThat(detail(health, "primary")).containsExactly(Map.entry("name", "api"), Map.entry("available", true),
          Map.entry("breaker", "CLOSED"), Map.entry("connected", true), Map.entry("failing", false));
      assertThat((List<Map<String, Object>>) health.getDetails().get("caches")).singleElement()
          .satisfies(memory -> assertThat(memory).containsEntry("name", "memory").containsEntry("available", true)
              .doesNotContainKey("breaker"));
    });
  }

  @Test
  void upAndDegradedWhileThePrimaryIsOpenAndTheSecondaryAnswers() {
    runner.withPropertyValues("flagstack.primary.test-flags.down=true",
        "flagstack.secondary.type=test-flags",
        "flagstack.secondary.test-flags.name=backup",
        "flagstack.secondary.test-flags.values=checkout=true").run(context -> {
          FlagClient client = context.getBean(FlagClient.class);
          readTimes(client, 4);
          assertThat(client.getFlagDetail("tenant-x", "checkout", FlagValue.FALSE).source())
              .isEqualTo(FlagSource.SECONDARY);

          Health health = context.getBean(FlagstackHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("degraded", true);
          assertThat(detail(health, "primary")).containsEntry("available", false).containsEntry("breaker", "OPEN")
              .containsEntry("failing", true).containsEntry("lastFailure", "StoreException: api is unavailable")
              .containsKey("lastFailureAt");
          assertThat(detail(health, "secondary")).containsEntry("name", "backup").containsEntry("available", true)
              .doesNotContainKey("breaker").doesNotContainKey("lastFailure");
        });
  }

  @Test
  void downWhenNeitherStoreCanBeCalled() {
    runner.withPropertyValues("flagstack.primary.test-flags.down=true").run(context -> {
      FlagClient client = context.getBean(FlagClient.class);
      HealthIndicator indicator = context.getBean(FlagstackHealthIndicator.class);
      readTimes(client, 3);
      assertThat(indicator.health().getStatus()).as("three failures leave the breaker closed").isEqualTo(Status.UP);
      readTimes(client, 1);

      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(detail(health, "primary")).containsEntry("breaker", "OPEN");
    });
  }

  @Test
  void anApplicationsOwnClientGetsTheIndicatorToo() {
    InMemoryFlagStore own = new InMemoryFlagStore("own");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(FlagstackAutoConfiguration.class, FlagstackHealthAutoConfiguration.class))
        .withBean(FlagClient.class, () -> FlagClient.builder().primary(own).build())
        .run(context -> assertThat(detail(context.getBean(FlagstackHealthIndicator.class).health(), "primary"))
            .containsEntry("name", "own"));
  }

  @Test
  void offWithTheManagementPropertyAndWithoutActuator() {
    runner.withPropertyValues("management.health.flagstack.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(FlagClient.class)
            .doesNotHaveBean(FlagstackHealthIndicator.class));
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(FlagClient.class)
            .doesNotHaveBean(FlagstackHealthIndicator.class));
  }
}
