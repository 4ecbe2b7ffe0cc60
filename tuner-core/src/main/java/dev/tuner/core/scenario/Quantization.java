package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A weight format with its true bits per weight (block scales included; the file's average over every parameter) and
 * the schema class it encodes as. {@code expertBitsPerWeight}, when present, is the format of the routed experts'
 * tensors of a format that stores them apart from the rest (llama.cpp's MXFP4_MOE: MXFP4 experts, 16-bit everything
 * else); the other tensors then take the rest of the average (see {@code WeightBytes} in the roofline).
 */
public record Quantization(
    String name, double bitsPerWeight, QuantClass quantClass, Activation activation, List<String> aliases,
    String source, OptionalDouble expertBitsPerWeight) {
  public Quantization {
    Objects.requireNonNull(name, "quantization name");
    requireInRange("bits per weight of " + name, bitsPerWeight, 1, 64, "bits");
    Objects.requireNonNull(quantClass, "quantization class");
    Objects.requireNonNull(activation, "activation");
    aliases = List.copyOf(aliases);
    source = source == null ? "" : source;
    Objects.requireNonNull(expertBitsPerWeight, "expert bits per weight");
    if (expertBitsPerWeight.isPresent()) {
      requireInRange("expert bits per weight of " + name, expertBitsPerWeight.getAsDouble(), 1, 64, "bits");
    }
  }

  /** A format that stores every tensor alike. */
  public Quantization(String name, double bitsPerWeight, QuantClass quantClass, Activation activation,
      List<String> aliases, String source) {
    this(name, bitsPerWeight, quantClass, activation, aliases, source, OptionalDouble.empty());
  }

  public double bytesPerWeight() {
    return bitsPerWeight / 8.0;
  }

  /** This format with {@code bits} as its average bits per weight (a file's size over its parameters). */
  public Quantization withAverageBits(double bits, String source) {
    return new Quantization(name, bits, quantClass, activation, aliases, source, expertBitsPerWeight);
  }
}
