package dev.flagstack.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.flagstack.ConfiguredFlagClient;
import dev.flagstack.FlagClient;
import dev.flagstack.FlagConfigurationException;
import dev.flagstack.FlagEventListener;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.spi.FlagStore;
import dev.flagstack.spi.LayerConfig;
import dev.flagstack.spi.LayerProvider;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testservers.MongoServerExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The auto-configuration in real Spring Boot application contexts. */
class FlagstackAutoConfigurationTest {
  @RegisterExtension
  static final MongoServerExtension mongo = new MongoServerExtension();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FlagstackAutoConfiguration.class));

  @Test
  void aClientIsBuiltFromPropertiesAndClosedWithTheContext() {
    runner.withPropertyValues(
        "flagstack.caches[0]=memory",
        "flagstack.primary.type=test-flags",
        "flagstack.primary.test-flags.values=checkout=true,theme=dark",
        "flagstack.max-batch-size=${FLAG_BATCH:50}").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(FlagClient.class).hasSingleBean(ConfiguredFlagClient.class);
          FlagClient client = context.getBean(FlagClient.class);
          assertThat(client.getBoolean("tenant", "checkout", false)).isTrue();
          assertThat(client.getString("tenant", "theme", "light")).isEqualTo("dark");
          assertThat(context.getBean(ConfiguredFlagClient.class).caches()).extracting(c -> c.name()).containsExactly("memory");
        });
    assertThat(TestFlagsProvider.last().isClosed()).as("closing the context closed the layers").isTrue();
  }

  @Test
  void environmentVariablesOverrideApplicationProperties() {
    runner.withPropertyValues("flagstack.primary.type=test-flags", "flagstack.primary.test-flags.values=theme=from-yaml")
        .withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource(
            "systemEnvironment", Map.of("FLAGSTACK_PRIMARY_TESTFLAGS_VALUES", "theme=from-env", "PATH", "/bin"))))
        .run(context -> assertThat(context.getBean(FlagClient.class).getString("t", "theme", "none"))
            .isEqualTo("from-env"));
  }

  @Test
  void anApplicationsOwnClientWins() {
    InMemoryFlagStore own = new InMemoryFlagStore("own");
    runner.withPropertyValues("flagstack.primary.type=test-flags")
        .withBean(FlagClient.class, () -> FlagClient.builder().primary(own).build())
        .run(context -> {
          assertThat(context).hasSingleBean(FlagClient.class).doesNotHaveBean(ConfiguredFlagClient.class);
          assertThat(context.getBean(FlagClient.class).toString()).contains("primary=own");
        });
  }

  @Test
  void flagstackEnabledFalseTurnsTheAutoConfigurationOff() {
    runner.withPropertyValues("flagstack.enabled=false", "flagstack.primary.type=test-flags")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FlagClient.class));
  }

  @Test
  void aBadSettingStopsTheContextNamingTheKey() {
    runner.withPropertyValues("flagstack.primary.type=test-flags", "flagstack.primary.breaker.failure-treshold=3")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .isInstanceOf(FlagConfigurationException.class)
            .hasMessageStartingWith("unknown key flagstack.primary.breaker.failure-treshold"));
    runner.withPropertyValues("flagstack.caches=memcache", "flagstack.primary.type=test-flags")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageStartingWith("flagstack.caches names unknown cache type 'memcache'; known: memory, redis"));
  }

  @Test
  void layerProviderAndCustomizerBeansAreUsed() {
    List<String> resolved = new CopyOnWriteArrayList<>();
    LayerProvider beanProvider = new LayerProvider() {
      @Override
      public String type() {
        return "from-bean";
      }

      @Override
      public Set<Kind> kinds() {
        return Set.of(Kind.STORE);
      }

      @Override
      public FlagStore createStore(LayerConfig config) {
        return new InMemoryFlagStore("from-bean").put("f", FlagValue.TRUE);
      }
    };
    FlagClientBuilderCustomizer listener = b -> b.eventListener(new FlagEventListener() {
      @Override
      public void flagResolved(String entity, String flag, FlagSource source, String layer,
          dev.flagstack.FlagErrorKind errorKind, long nanos) {
        resolved.add(flag + " " + source);
      }
    });
    runner.withPropertyValues("flagstack.primary.type=from-bean")
        .withBean(LayerProvider.class, () -> beanProvider)
        .withBean(FlagClientBuilderCustomizer.class, () -> listener)
        .run(context -> {
          assertThat(context.getBean(FlagClient.class).getBoolean("e", "f", false)).isTrue();
          assertThat(resolved).containsExactly("f PRIMARY");
        });
  }

  @Test
  void theContextStartsWhileRedisAndThePrimaryAreDownAndReadsFallBack() throws IOException {
    try (MongoClient admin = MongoClients.create(mongo.connectionString())) {
      admin.getDatabase("flagstack").getCollection("boot_flags")
          .insertOne(new Document("_id", "checkout").append("value", true));
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    long start = System.nanoTime();
    runner.withConfiguration(AutoConfigurations.of(FlagstackHealthAutoConfiguration.class)).withPropertyValues(
        "flagstack.caches=memory,redis",
        "flagstack.cache.redis.uri=redis://127.0.0.1:" + closedPort,
        "flagstack.primary.type=mongo",
        "flagstack.primary.mongo.connection-string=mongodb://127.0.0.1:" + closedPort,
        "flagstack.primary.mongo.server-selection-timeout=200ms",
        "flagstack.secondary.type=mongo",
        "flagstack.secondary.mongo.connection-string=" + mongo.connectionString(),
        "flagstack.secondary.mongo.collection=boot_flags").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(FlagClient.class);
          assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded start").isLessThan(Duration.ofSeconds(20));
          FlagClient client = context.getBean(FlagClient.class);
          long read = System.nanoTime();
          assertThat(client.getFlagDetail("tenant", "checkout", FlagValue.FALSE))
              .satisfies(d -> assertThat(d.source()).isEqualTo(FlagSource.SECONDARY))
              .satisfies(d -> assertThat(d.value()).isEqualTo(FlagValue.TRUE));
          assertThat(client.getBoolean("tenant", "nowhere", true)).as("an unknown flag gets the default").isTrue();
          assertThat(Duration.ofNanos(System.nanoTime() - read)).as("bounded reads").isLessThan(Duration.ofSeconds(15));

          // Still in rotation: the secondary answers. Each layer says what is wrong.
          Health health = context.getBean(FlagstackHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("degraded", true);
          @SuppressWarnings("unchecked")
          List<Map<String, Object>> caches = (List<Map<String, Object>>) health.getDetails().get("caches");
          assertThat(caches).extracting(c -> c.get("name")).containsExactly("memory", "redis");
          assertThat(caches.get(1)).containsEntry("connected", false).containsEntry("available", false);
          assertThat(caches.get(1).get("lastFailure")).as("its lookups failed at once").isNotNull();
          assertThat(caches.get(0)).containsEntry("available", true);
          @SuppressWarnings("unchecked")
          Map<String, Object> primary = (Map<String, Object>) health.getDetails().get("primary");
          assertThat(primary).containsEntry("failing", true).containsKey("lastFailureAt");
          assertThat((String) primary.get("lastFailure")).isNotBlank();
          @SuppressWarnings("unchecked")
          Map<String, Object> secondary = (Map<String, Object>) health.getDetails().get("secondary");
          assertThat(secondary).containsEntry("available", true).containsEntry("failing", false);
        });
  }
}
