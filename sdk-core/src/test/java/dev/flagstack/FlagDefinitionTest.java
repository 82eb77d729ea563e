package dev.flagstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FlagDefinitionTest {

  /** The documented algorithm, written independently of RolloutHash (BigInteger instead of unsigned longs). */
  private static int referenceBucket(String key, String entity) throws Exception {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] e = entity.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[k.length + 1 + e.length];
    System.arraycopy(k, 0, input, 0, k.length);
    System.arraycopy(e, 0, input, k.length + 1, e.length);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(input);
    return new BigInteger(1, Arrays.copyOf(digest, 8)).mod(BigInteger.valueOf(10_000)).intValueExact();
  }

  private static FlagDefinition.Builder flag(String key) {
    return FlagDefinition.builder().key(key).defaultValue(FlagValue.FALSE);
  }

  // Literal vectors for other implementations; computed outside Java from the documented algorithm.
  // The first has the top bit of its 8-byte prefix set, so a signed reading would give another bucket.
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "new-checkout   | tenant-42 | 1696",
      "a              | b         | 2387",
      "flag.with.dots | $entity   | 4237",
      "ünïcødé-flag   | 用户-7    | 7499",
  })
  void bucketMatchesPublishedVectors(String key, String entity, int expected) throws Exception {
    assertThat(referenceBucket(key, entity)).isEqualTo(expected);
    assertThat(FlagDefinition.bucket(key, entity)).isEqualTo(expected);
  }

  @Test
  void bucketMatchesAnIndependentImplementationForManyIds() throws Exception {
    for (int i = 0; i < 2_000; i++) {
      String key = "flag-" + (i % 7) + (i % 3 == 0 ? ".x" : "");
      String entity = "entity-" + i + (i % 5 == 0 ? "-\u00e9\u4e2d" : "");
      assertThat(FlagDefinition.bucket(key, entity)).as("bucket(%s, %s)", key, entity)
          .isEqualTo(referenceBucket(key, entity));
    }
  }

  @Test
  void overrideWinsOverRolloutAndDefault() {
    FlagDefinition def = flag("f")
        .override("vip", FlagValue.of(false))
        .rollout(Rollout.ofPercentage(100, FlagValue.TRUE))
        .build();
    assertThat(def.evaluate("vip")).isEqualTo(FlagValue.FALSE);
    assertThat(def.evaluate("anyone")).isEqualTo(FlagValue.TRUE);
  }

  @Test
  void withoutOverrideOrRolloutTheDefaultIsServed() {
    FlagDefinition def = FlagDefinition.builder().key("f").defaultValue(FlagValue.of("blue"))
        .override("other", FlagValue.of("red")).build();
    assertThat(def.evaluate("someone")).isEqualTo(FlagValue.of("blue"));
    assertThat(def.evaluate("other")).isEqualTo(FlagValue.of("red"));
  }

  @Test
  void entityIsInTheRolloutExactlyWhenItsBucketIsBelowTheBasisPoints() {
    String entity = "tenant-42"; // bucket 1696 for "new-checkout"
    FlagDefinition below = flag("new-checkout").rollout(Rollout.ofBasisPoints(1697, FlagValue.TRUE)).build();
    FlagDefinition at = flag("new-checkout").rollout(Rollout.ofBasisPoints(1696, FlagValue.TRUE)).build();
    assertThat(below.evaluate(entity)).isEqualTo(FlagValue.TRUE);
    assertThat(at.evaluate(entity)).isEqualTo(FlagValue.FALSE);
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "1, 100", "12.5, 1250", "33.333, 3333", "100, 10000"})
  void percentageBecomesBasisPointsByRounding(double percentage, int basisPoints) {
    assertThat(Rollout.ofPercentage(percentage, FlagValue.TRUE).basisPoints()).isEqualTo(basisPoints);
  }

  @ParameterizedTest
  @CsvSource({"1", "10", "25", "50", "90"})
  void aboutThatPercentageOfEntitiesLandInTheRollout(int percent) {
    FlagDefinition def = flag("rollout-" + percent).rollout(Rollout.ofPercentage(percent, FlagValue.TRUE)).build();
    int in = 0;
    for (int i = 0; i < 10_000; i++) {
      if (def.evaluate("user-" + i).booleanValue()) {
        in++;
      }
    }
    // Binomial sd at 10,000 draws is at most 50; 2.5% (250) is five sd.
    assertThat(in).isBetween(percent * 100 - 250, percent * 100 + 250);
  }

  @Test
  void zeroPercentServesNobodyAndHundredServesEverybody() {
    FlagDefinition none = flag("f").rollout(Rollout.ofPercentage(0, FlagValue.TRUE)).build();
    FlagDefinition all = flag("f").rollout(Rollout.ofPercentage(100, FlagValue.TRUE)).build();
    for (int i = 0; i < 1_000; i++) {
      assertThat(none.evaluate("e" + i)).isEqualTo(FlagValue.FALSE);
      assertThat(all.evaluate("e" + i)).isEqualTo(FlagValue.TRUE);
    }
  }

  @Test
  void rolloutIsStableAndGrowsWithoutReshuffling() {
    FlagDefinition ten = flag("grow").rollout(Rollout.ofPercentage(10, FlagValue.TRUE)).build();
    FlagDefinition tenAgain = flag("grow").rollout(Rollout.ofPercentage(10, FlagValue.TRUE)).build();
    FlagDefinition twenty = flag("grow").rollout(Rollout.ofPercentage(20, FlagValue.TRUE)).build();
    for (int i = 0; i < 5_000; i++) {
      String e = "user-" + i;
      boolean inTen = ten.evaluate(e).booleanValue();
      assertThat(tenAgain.evaluate(e).booleanValue()).isEqualTo(inTen);
      assertThat(ten.evaluate(e).booleanValue()).isEqualTo(inTen);
      if (inTen) {
        assertThat(twenty.evaluate(e).booleanValue()).as("%s left the rollout when it grew", e).isTrue();
      }
    }
  }

  @Test
  void differentFlagsRollOutToDifferentEntities() {
    FlagDefinition a = flag("flag-a").rollout(Rollout.ofPercentage(50, FlagValue.TRUE)).build();
    FlagDefinition b = flag("flag-b").rollout(Rollout.ofPercentage(50, FlagValue.TRUE)).build();
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      if (a.evaluate("u" + i).equals(b.evaluate("u" + i))) {
        same++;
      }
    }
    assertThat(same).isBetween(4_750, 5_250);
  }

  @Test
  void overridesAreCopiedAndUnmodifiable() {
    Map<String, FlagValue> source = new java.util.HashMap<>(Map.of("a", FlagValue.TRUE));
    FlagDefinition def = flag("f").overrides(source).build();
    source.put("b", FlagValue.TRUE);
    assertThat(def.overrides()).containsOnlyKeys("a");
    assertThatThrownBy(() -> def.overrides().put("c", FlagValue.TRUE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void builderNamesTheOptionAndTheBadValue() {
    assertThatThrownBy(() -> Rollout.ofPercentage(250, FlagValue.TRUE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("percentage").hasMessageContaining("250");
    assertThatThrownBy(() -> Rollout.ofPercentage(Double.NaN, FlagValue.TRUE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> Rollout.ofBasisPoints(10_001, FlagValue.TRUE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("basisPoints").hasMessageContaining("10001");
    assertThatThrownBy(() -> flag("f").key("g"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("key was already set to 'f'");
    assertThatThrownBy(() -> flag("f").override("e", FlagValue.TRUE).override("e", FlagValue.FALSE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'e'");
    assertThatThrownBy(() -> FlagDefinition.builder().defaultValue(FlagValue.TRUE).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("key");
    assertThatThrownBy(() -> FlagDefinition.builder().key("f").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("defaultValue");
  }

  @Test
  void valuesOfAnotherTypeThanTheDefaultAreRefused() {
    assertThatThrownBy(() -> flag("f").override("e", FlagValue.of("yes")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entity 'e'").hasMessageContaining("STRING").hasMessageContaining("BOOLEAN");
    assertThatThrownBy(() -> flag("f").rollout(Rollout.ofPercentage(5, FlagValue.of(1))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rollout value");
  }

  @Test
  void longAndDoubleMayBeMixed() {
    FlagDefinition def = FlagDefinition.builder().key("ratio").defaultValue(FlagValue.of(1.5))
        .override("e", FlagValue.of(2)).build();
    assertThat(def.evaluate("e")).isEqualTo(FlagValue.of(2));
    assertThat(def.evaluate("x").doubleValue()).isEqualTo(1.5);
  }
}
