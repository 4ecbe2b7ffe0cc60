package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A weight format with its true bits per weight (block scales included; the file's average over every parameter) and
 * the schema class it encodes as. {@code expertBitsPerWeight}, when present, is the format of the routed experts'
 * tensors of a format that stores them apart from the rest (llama.cpp's MXFP4_MOE: MXFP4 experts, Q8_0 everything
 * else). {@code otherBitsPerWeight}, when the format fixes it too, is that of every other tensor; without it the other
 * tensors take the rest of the average, as a file's size gives it (see {@code WeightBytes} in the roofline).
 */
public record Quantization(
    String name, double bitsPerWeight, QuantClass quantClass, Activation activation, List<String> aliases,
    String source, OptionalDouble expertBitsPerWeight, OptionalDouble otherBitsPerWeight) {
  /**
   * The shipped formats only other engines' checkpoints carry: llama.cpp loads GGUF files, whose weight types are
   * ggml's (data/SOURCES.md {@code doc_engine_weight_formats}), and none of these is (an AWQ, GPTQ or INT8 checkpoint
   * is converted to one first; ggml has no FP8 or NVFP4 type; q4f16_1 is MLC LLM's). A format of a user's catalog is
   * not judged. Upper case, as {@link #checkpointOnly} compares.
   */
  private static final List<String> CHECKPOINT_ONLY = List.of("AWQ", "GPTQ", "GPTQ_INT8", "W8A8_INT8", "INT8_W8A16",
      "FP8", "FP8_BLOCK", "NVFP4", "Q4F16_1");

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
    Objects.requireNonNull(otherBitsPerWeight, "other bits per weight");
    if (otherBitsPerWeight.isPresent()) {
      requireInRange("other bits per weight of " + name, otherBitsPerWeight.getAsDouble(), 1, 64, "bits");
      if (expertBitsPerWeight.isEmpty()) {
        throw new InvalidInputException("other bits per weight of " + name,
            otherBitsPerWeight.getAsDouble(), "only beside expert bits per weight (a format storing experts apart)");
      }
    }
  }

  /** A format that stores every tensor alike. */
  public Quantization(String name, double bitsPerWeight, QuantClass quantClass, Activation activation,
      List<String> aliases, String source) {
    this(name, bitsPerWeight, quantClass, activation, aliases, source, OptionalDouble.empty(), OptionalDouble.empty());
  }

  /** Whether this is a format llama.cpp loads no GGUF of ({@link #CHECKPOINT_ONLY}). */
  public boolean checkpointOnly() {
    return CHECKPOINT_ONLY.contains(name.toUpperCase(Locale.ROOT));
  }

  public double bytesPerWeight() {
    return bitsPerWeight / 8.0;
  }

  /**
   * This format with {@code bits} as its average bits per weight (a file's size over its parameters). The file's size
   * is the truth about its other tensors, so they take what the experts leave of it rather than the format's figure.
   */
  public Quantization withAverageBits(double bits, String source) {
    return new Quantization(name, bits, quantClass, activation, aliases, source, expertBitsPerWeight,
        OptionalDouble.empty());
  }
}
