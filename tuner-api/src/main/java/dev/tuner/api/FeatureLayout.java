package dev.tuner.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The slots of a feature schema in order: {@code names.get(i)} is the feature in slot {@code i} of every encoded
 * row. The host gives it to providers with every payload and every request for a built-in model, so a plugin finds
 * the slots it reads by name ({@link #slot}) instead of hard-coding numbers and widths that a new schema moves.
 *
 * @since 1.2
 */
public record FeatureLayout(SchemaRef schema, List<String> names) {
  public FeatureLayout {
    Objects.requireNonNull(schema, "schema");
    names = List.copyOf(names);
    InvalidInputException.requireInRange("feature layout width", names.size(), 1, 4096, "features");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name.isBlank()) {
        throw new InvalidInputException("feature name of slot " + i, "\"" + name + "\"", "a non-blank name");
      }
      Integer before = seen.put(name, i);
      if (before != null) {
        throw new InvalidInputException("feature name of slot " + i, name, "a name not already used by slot "
            + before);
      }
    }
  }

  /**
   * A layout whose slot names are their positions, {@code 0} to {@code width - 1}: what a host that knows no names
   * (a test driving a provider directly) hands on.
   */
  public static FeatureLayout positional(SchemaRef schema, int width) {
    InvalidInputException.requireInRange("feature layout width", width, 1, 4096, "features");
    List<String> names = new ArrayList<>(width);
    for (int i = 0; i < width; i++) {
      names.add(Integer.toString(i));
    }
    return new FeatureLayout(schema, names);
  }

  public int width() {
    return names.size();
  }

  /** Whether the schema has a feature of this name. */
  public boolean has(String name) {
    return names.contains(name);
  }

  /**
   * The slot of feature {@code name}.
   *
   * @throws InvalidInputException when the schema has no such feature, naming the schema
   */
  public int slot(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new InvalidInputException("feature", name, "a feature of schema " + schema + " (" + width()
          + " features: " + String.join(", ", names) + ")");
    }
    return i;
  }

  /** The feature in slot {@code slot}. */
  public String name(int slot) {
    InvalidInputException.requireInRange("slot", slot, 0, width() - 1, "slot of schema " + schema);
    return names.get(slot);
  }
}
