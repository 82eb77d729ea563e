package dev.flagstack.cache.redis;

import static dev.flagstack.cache.redis.TestSupport.await;
import static dev.flagstack.cache.redis.TestSupport.awaitConnected;
import static dev.flagstack.cache.redis.TestSupport.roundTripWorks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.testservers.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The password in a URI never shows up in toString(), exception messages or logs (all of stderr). */
class RedisPasswordTest {
  private static final String PASSWORD = "Sup3r-S3cret-Pa55word";

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.localProcessWithPassword(PASSWORD);

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    PrintStream tee = new PrintStream(new java.io.OutputStream() {
      @Override
      public synchronized void write(int b) {
        captured.write(b);
        originalErr.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        captured.write(b, off, len);
        originalErr.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(tee);
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(originalErr);
    if (!redis.server().isRunning()) {
      redis.restart();
    }
  }

  private String logs() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void thePasswordNeverAppearsInToStringErrorsOrLogs() throws Exception {
    String uri = "redis://:" + PASSWORD + "@" + redis.host() + ":" + redis.port();
    try (RedisFlagCache cache = RedisFlagCache.builder().uri(uri).invalidationChannel("pw-test").build()) {
      awaitConnected(cache);
      assertThat(roundTripWorks(cache, "e", "f")).as("authenticated").isTrue();
      assertThat(cache.toString()).doesNotContain(PASSWORD).contains(String.valueOf(redis.port()));

      redis.kill();
      Throwable error = failureOf(cache);
      for (Throwable t = error; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
        assertThat(t.toString()).doesNotContain(PASSWORD);
      }
      await("Lettuce tried to reconnect", Duration.ofSeconds(10), () -> logs().contains("Cannot reconnect"));
      redis.restart();
      await("the tier re-authenticated", Duration.ofSeconds(10), () -> roundTripWorks(cache, "e", "f"));
      assertThat(cache.toString()).doesNotContain(PASSWORD);
    }
    assertThat(logs()).contains("lost its connection").doesNotContain(PASSWORD);
  }

  @Test
  void aWrongPasswordIsNeverEchoed() throws Exception {
    String wrong = "Wr0ng-Pa55word-" + System.nanoTime();
    String uri = "redis://:" + wrong + "@" + redis.host() + ":" + redis.port();
    try (RedisFlagCache cache = RedisFlagCache.builder().uri(uri).build()) {
      await("the failed connect was logged", Duration.ofSeconds(10), () -> logs().contains("cannot connect"));
      Throwable error = failureOf(cache);

      assertThat(error.toString()).doesNotContain(wrong);
      assertThat(cache.toString()).doesNotContain(wrong);
    }
    assertThat(logs()).doesNotContain(wrong);
  }

  @Test
  void anInvalidUriIsRejectedWithoutEchoingIt() {
    // Lettuce's own message for this one quotes the whole URI, password included.
    assertThatThrownBy(() -> RedisFlagCache.builder().uri("redis:// :" + PASSWORD + "@host:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri")
        .hasMessageNotContaining(PASSWORD)
        .hasNoCause();
  }

  @Test
  void aSecondUriIsRefusedWithoutEchoingTheFirst() {
    RedisFlagCache.Builder builder = RedisFlagCache.builder().uri("redis://:" + PASSWORD + "@host:6379");
    assertThatThrownBy(() -> builder.uri("redis://other:6379"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uri was already set to redis://host:6379")
        .hasMessageNotContaining(PASSWORD);
  }

  private static Throwable failureOf(RedisFlagCache cache) throws InterruptedException {
    try {
      cache.getAll("e", Set.of("f")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return e;
    }
    throw new AssertionError("expected the lookup to fail");
  }
}
