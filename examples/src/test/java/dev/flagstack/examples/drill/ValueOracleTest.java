package dev.flagstack.examples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagDefinition;
import dev.flagstack.FlagValue;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValueOracleTest {
  private static final FlagValue OLD = FlagValue.of("old");
  private static final FlagValue NEW = FlagValue.of("new");

  private static FlagDefinition flag(FlagValue value) {
    return FlagDefinition.builder().key("f").defaultValue(value).override("pinned", FlagValue.of(value.stringValue() + "!"))
        .build();
  }

  @Test
  void theOnlyDefinitionIsRightForEveryEntityAndNothingElseIs() {
    ValueOracle oracle = new ValueOracle(Duration.ZERO);
    oracle.define(flag(OLD));
    long now = System.nanoTime();
    assertThat(oracle.isRight("f", "anyone", OLD, now, now)).isTrue();
    assertThat(oracle.isRight("f", "pinned", FlagValue.of("old!"), now, now)).isTrue();
    assertThat(oracle.isRight("f", "pinned", OLD, now, now)).as("the override, not the default").isFalse();
    assertThat(oracle.isRight("f", "anyone", NEW, now, now)).isFalse();
  }

  @Test
  void strictOracleAcceptsAValueTrueAtSomeMomentOfTheReadAndNoOther() throws Exception {
    ValueOracle oracle = new ValueOracle(Duration.ZERO);
    oracle.define(flag(OLD));
    long before = System.nanoTime();
    Thread.sleep(2);
    ValueOracle.Change change = oracle.beginChange(flag(NEW));
    long during = System.nanoTime();
    Thread.sleep(2);
    long completed = change.complete();
    Thread.sleep(2);
    long after = System.nanoTime();

    assertThat(oracle.isRight("f", "e", NEW, before, before)).as("new, read before the change began").isFalse();
    assertThat(oracle.isRight("f", "e", OLD, during, during)).as("old, while the change is in progress").isTrue();
    assertThat(oracle.isRight("f", "e", NEW, during, during)).as("new, while the change is in progress").isTrue();
    assertThat(oracle.isRight("f", "e", OLD, after, after)).as("old, read after the change completed").isFalse();
    assertThat(oracle.isRight("f", "e", OLD, before, after)).as("old, read spanning the change").isTrue();
    assertThat(oracle.isRight("f", "e", NEW, after, after)).isTrue();
    assertThat(completed).isBetween(during, after);
  }

  @Test
  void allowanceLetsAReadLagACompletedChangeByThatMuchAndNoMore() throws Exception {
    ValueOracle oracle = new ValueOracle(Duration.ofMillis(50));
    oracle.define(flag(OLD));
    long completed = oracle.beginChange(flag(NEW)).complete();
    assertThat(oracle.isRight("f", "e", OLD, completed + 40_000_000L, completed + 41_000_000L)).isTrue();
    assertThat(oracle.isRight("f", "e", OLD, completed + 50_000_000L, completed + 51_000_000L)).isFalse();
    assertThat(oracle.valueNow("f", "e")).isEqualTo(NEW);
    assertThat(oracle.definitions("f")).isEqualTo(2);
  }

  @Test
  void aChangeMustCompleteBeforeTheNextBegins() {
    ValueOracle oracle = new ValueOracle(Duration.ZERO);
    oracle.define(flag(OLD));
    oracle.beginChange(flag(NEW));
    assertThatThrownBy(() -> oracle.beginChange(flag(FlagValue.of("newer"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("still in progress");
    assertThatThrownBy(() -> oracle.define(flag(NEW))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> oracle.isRight("unknown", "e", OLD, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
