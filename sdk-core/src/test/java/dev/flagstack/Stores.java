package dev.flagstack;

import dev.flagstack.spi.FlagStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/** One-line stores for tests that need a store to behave in one particular way. */
public final class Stores {
  private Stores() {}

  /** A store named {@code name} whose {@code getFlags} is {@code answer}. */
  public static FlagStore answering(String name,
      BiFunction<String, Set<String>, CompletionStage<Map<String, FlagValue>>> answer) {
    return new FlagStore() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CompletionStage<Map<String, FlagValue>> getFlags(String entity, Set<String> flags) {
        return answer.apply(entity, flags);
      }
    };
  }
}
