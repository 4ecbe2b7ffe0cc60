package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.List;
import java.util.Objects;

/** A weight format with its true bits per weight (block scales included) and the schema class it encodes as. */
public record Quantization(
    String name, double bitsPerWeight, QuantClass quantClass, Activation activation, List<String> aliases,
    String source) {
  public Quantization {
    Objects.requireNonNull(name, "quantization name");
    requireInRange("bits per weight of " + name, bitsPerWeight, 1, 64, "bits");
    Objects.requireNonNull(quantClass, "quantization class");
    Objects.requireNonNull(activation, "activation");
    aliases = List.copyOf(aliases);
    source = source == null ? "" : source;
  }

  public double bytesPerWeight() {
    return bitsPerWeight / 8.0;
  }
}
