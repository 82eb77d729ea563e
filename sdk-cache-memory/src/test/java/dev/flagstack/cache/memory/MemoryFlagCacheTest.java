package dev.flagstack.cache.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagClient;
import dev.flagstack.FlagSource;
import dev.flagstack.FlagValue;
import dev.flagstack.testing.InMemoryFlagStore;
import dev.flagstack.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryFlagCacheTest {

  @Test
  void entriesExpireAfterTheirTtlOnTheInjectedClock() {
    MutableClock clock = new MutableClock();
    MemoryFlagCache cache = MemoryFlagCache.builder().ttl(Duration.ofSeconds(30)).clock(clock).build();
    cache.put("e", "f", FlagValue.TRUE);
    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.getIfPresent("e", "f")).isEqualTo(FlagValue.TRUE);
    clock.advance(Duration.ofSeconds(2));
    assertThat(cache.getIfPresent("e", "f")).isNull();
  }

  @Test
  void entityAndFlagNeverCollide() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    cache.put("a:b", "c", FlagValue.of("first"));
    cache.put("a", "b:c", FlagValue.of("second"));
    assertThat(cache.getIfPresent("a:b", "c")).isEqualTo(FlagValue.of("first"));
    assertThat(cache.getIfPresent("a", "b:c")).isEqualTo(FlagValue.of("second"));
    assertThat(cache.getIfPresent("a", "bc")).isNull();
  }

  @Test
  void sizeIsBounded() throws InterruptedException {
    MemoryFlagCache cache = MemoryFlagCache.builder().maximumSize(100).build();
    for (int i = 0; i < 10_000; i++) {
      cache.put("e" + i, "f", FlagValue.TRUE);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (cache.size() > 100 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void invalidateDropsEntries() {
    MemoryFlagCache cache = MemoryFlagCache.builder().build();
    cache.put("e", "f", FlagValue.TRUE);
    cache.put("e", "g", FlagValue.TRUE);
    cache.invalidate("e", "f");
    assertThat(cache.getIfPresent("e", "f")).isNull();
    assertThat(cache.getIfPresent("e", "g")).isNotNull();
    cache.invalidateAll();
    assertThat(cache.getIfPresent("e", "g")).isNull();
  }

  @Test
  void builderNamesTheBadOption() {
    assertThatThrownBy(() -> MemoryFlagCache.builder().maximumSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maximumSize must be at least 1, was 0");
    assertThatThrownBy(() -> MemoryFlagCache.builder().ttl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> MemoryFlagCache.builder().name(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank");
  }

  @Test
  void clientServesRepeatReadsFromMemory() {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary).build()) {
      assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).source()).isEqualTo(FlagSource.PRIMARY);
      for (int i = 0; i < 100; i++) {
        assertThat(client.getBoolean("e", "f", false)).isTrue();
      }
      assertThat(client.getFlagDetail("e", "f", FlagValue.FALSE).layer()).isEqualTo("memory");
      assertThat(primary.calls()).isEqualTo(1);
    }
  }

  /**
   * The hot path allocates nothing per read. This is an allocation count, not a timing: the thread's
   * allocated bytes over 200,000 hits, far below one object per hit.
   */
  @Test
  void memoryHitThroughGetBooleanAllocatesNothing() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary).build()) {
      String[] entities = new String[64];
      for (int i = 0; i < entities.length; i++) {
        entities[i] = "tenant-" + i;
        assertThat(client.getBoolean(entities[i], "f", false)).isTrue();
      }
      boolean sink = false;
      for (int i = 0; i < 50_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      long tid = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 200_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      long allocated = threads.getThreadAllocatedBytes(tid) - before;
      // One object per hit would be at least 16 B each, 3.2 MB in all. Allow 0.1 B per hit for Caffeine's
      // occasional maintenance hand-off to its executor, which is amortised over many reads.
      assertThat(allocated).as("bytes allocated by 200,000 hits (sink %s)", sink).isLessThan(20_000);
    }
  }

  /**
   * The hot path keeps no per-thread state, so a hit on a thread that never read before allocates nothing
   * either: a fresh platform thread per read stands in for a server's one virtual thread per request. The
   * harness is checked first on a lookup through a {@code ThreadLocal} probe key (what the hit used to
   * do), which it must see allocating on every fresh thread.
   */
  @Test
  void memoryHitOnAFreshThreadPerReadAllocatesNothing() throws InterruptedException {
    InMemoryFlagStore primary = new InMemoryFlagStore("api").put("f", FlagValue.TRUE);
    try (FlagClient client = FlagClient.builder().addCache(MemoryFlagCache.builder().build()).primary(primary).build()) {
      String[] entities = new String[64];
      for (int i = 0; i < entities.length; i++) {
        entities[i] = "tenant-" + i;
        assertThat(client.getBoolean(entities[i], "f", false)).isTrue();
      }
      boolean sink = false;
      for (int i = 0; i < 50_000; i++) {
        sink ^= client.getBoolean(entities[i & 63], "f", false);
      }
      ThreadLocal<Object[]> probe = ThreadLocal.withInitial(() -> new Object[2]);
      long withThreadLocal = bytesPerFreshThread(500, i -> probe.get()[0] == null);
      assertThat(withThreadLocal).as("a ThreadLocal probe's bytes per fresh thread (the harness sees them)")
          .isGreaterThanOrEqualTo(16);

      int reads = 2_000;
      long perRead = bytesPerFreshThread(reads, i -> client.getBoolean(entities[i & 63], "f", false));
      assertThat(perRead).as("bytes allocated by a hit on a fresh thread (sink %s)", sink).isLessThan(4);
      assertThat(primary.calls()).isEqualTo(entities.length);
    }
  }

  /** Average bytes {@code read} allocates, run once on each of {@code threads} fresh threads. */
  private static long bytesPerFreshThread(int threads, java.util.function.IntPredicate read)
      throws InterruptedException {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    for (int i = 0; i < threads; i++) {
      int index = i;
      Thread thread = new Thread(() -> {
        mx.getCurrentThreadAllocatedBytes();
        long before = mx.getCurrentThreadAllocatedBytes();
        boolean ok = read.test(index);
        long after = mx.getCurrentThreadAllocatedBytes();
        total.addAndGet(after - before);
        if (!ok) {
          wrong.incrementAndGet();
        }
      });
      thread.start();
      thread.join();
    }
    assertThat(wrong).as("reads with a wrong result").hasValue(0);
    return total.get() / threads;
  }
}
