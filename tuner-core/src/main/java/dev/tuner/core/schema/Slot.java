package dev.tuner.core.schema;

import java.util.Objects;

/** One position of a feature vector: its name, the raw quantity it reads and how it normalises it. */
public record Slot(String name, Quantity quantity, Normalisation normalisation) {
  public Slot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(normalisation, "normalisation");
  }

  String describe() {
    return name + ":" + quantity.name() + ":" + normalisation.describe();
  }
}
