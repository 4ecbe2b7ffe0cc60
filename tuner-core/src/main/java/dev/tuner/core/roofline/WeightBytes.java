package dev.tuner.core.roofline;

import dev.tuner.core.scenario.Quantization;

/**
 * Bytes per weight of a model's routed experts and of every other tensor (attention, dense FFNs, shared experts,
 * embeddings, LM head) in a quantization. A format that stores all tensors alike gives both its average. A format
 * whose experts are stored apart ({@link Quantization#expertBitsPerWeight}) gives the experts that figure and the
 * other tensors the format's own figure ({@link Quantization#otherBitsPerWeight}: llama.cpp's MXFP4_MOE writes them
 * in Q8_0) or, where only the file's average is known, what is left of it:
 * {@code (total × average − routed × expert) / (total − routed)} bits. So a decode step of one token of gpt-oss-120b
 * reads 3.6 GB in MXFP4_MOE and 5.1 GB in a file converted with 16-bit tensors beside the MXFP4 experts, where the
 * 4.3-bit average over the 5.1 B active parameters would say 2.8 GB.
 *
 * <p>A model without routed experts takes the other tensors' figure where the format fixes one (llama.cpp writes a
 * dense model's tensors in MXFP4_MOE as Q8_0) and the average otherwise. When the average's remainder falls outside 1
 * to 64 bits (an average far below the experts' own bits), both take the average: the file's size stays the total.
 */
public record WeightBytes(double expert, double other) {
  /** The bytes per weight of {@code q} for the model of {@code physics}. */
  public static WeightBytes of(ModelPhysics physics, Quantization q) {
    double average = q.bytesPerWeight();
    double totalParams = physics.totalParams();
    double routed = physics.routedParams();
    if (q.expertBitsPerWeight().isEmpty()) {
      return new WeightBytes(average, average);
    }
    if (q.otherBitsPerWeight().isPresent()) {
      double other = q.otherBitsPerWeight().getAsDouble() / 8;
      return routed > 0 ? new WeightBytes(q.expertBitsPerWeight().getAsDouble() / 8, other)
          : new WeightBytes(other, other);
    }
    if (!(routed > 0) || !(routed < totalParams)) {
      return new WeightBytes(average, average);
    }
    double expert = q.expertBitsPerWeight().getAsDouble() / 8;
    double other = (totalParams * average - routed * expert) / (totalParams - routed);
    if (!(other >= 1.0 / 8 && other <= 8)) {
      return new WeightBytes(average, average);
    }
    return new WeightBytes(expert, other);
  }

  /** The weight bytes of {@code routed} expert parameters and {@code others} other parameters. */
  public double bytes(double routed, double others) {
    return routed * expert + others * other;
  }
}
