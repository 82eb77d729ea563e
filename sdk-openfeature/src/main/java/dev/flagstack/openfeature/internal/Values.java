package dev.flagstack.openfeature.internal;

import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts a Flagstack JSON tree (maps, lists, String, Long, Double, Boolean, null) to an OpenFeature Value. */
public final class Values {
  private Values() {}

  /** The tree as a Value: objects become structures, arrays lists, JSON null a null Value. */
  public static Value toValue(Object tree) {
    if (tree == null) {
      return new Value();
    }
    if (tree instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) tree;
      Map<String, Value> fields = new LinkedHashMap<>(map.size() * 2);
      for (Map.Entry<?, ?> e : map.entrySet()) {
        fields.put((String) e.getKey(), toValue(e.getValue()));
      }
      return new Value(new ImmutableStructure(fields));
    }
    if (tree instanceof List) {
      List<?> list = (List<?>) tree;
      List<Value> items = new ArrayList<>(list.size());
      for (Object item : list) {
        items.add(toValue(item));
      }
      return new Value(items);
    }
    if (tree instanceof String) {
      return new Value((String) tree);
    }
    if (tree instanceof Boolean) {
      return new Value((Boolean) tree);
    }
    if (tree instanceof Long) {
      return new Value((Long) tree);
    }
    if (tree instanceof Double) {
      return new Value((Double) tree);
    }
    throw new IllegalArgumentException("not a JSON tree node: " + tree.getClass().getName());
  }
}
