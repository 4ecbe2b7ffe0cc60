package dev.tuner.core.roofline;

import dev.tuner.core.scenario.Quantization;

/**
 * Bytes per weight of a model's routed experts and of every other tensor (attention, dense FFNs, shared experts,
 * embeddings, LM head) in a quantization. A format that stores all tensors alike gives both its average. A format
 * whose experts are stored apart ({@link Quantization#expertBitsPerWeight}) gives the experts that figure and the
 * other tensors what is left of the average: {@code (total × average − routed × expert) / (total − routed)} bits.
 * llama.cpp's MXFP4_MOE files of gpt-oss keep everything but the experts in 16 bits, so a decode step of one token
 * reads about 5 GB of gpt-oss-120b, where its 4.5-bit average over the 5.1 B active parameters would say 2.9 GB.
 *
 * <p>When the model has no routed experts, or the figures put the other tensors outside 1 to 64 bits (an average far
 * below the experts' own bits), both take the average: the file's size stays the total either way.
 */
public record WeightBytes(double expert, double other) {
  /** The bytes per weight of {@code q} for the model of {@code physics}. */
  public static WeightBytes of(ModelPhysics physics, Quantization q) {
    double average = q.bytesPerWeight();
    double totalParams = physics.totalParams();
    double routed = physics.routedParams();
    if (q.expertBitsPerWeight().isEmpty() || !(routed > 0) || !(routed < totalParams)) {
      return new WeightBytes(average, average);
    }
    double expert = q.expertBitsPerWeight().getAsDouble() / 8;
    double other = (totalParams * average - routed * expert) / (totalParams - routed);
    if (!(other >= 1.0 / 8 && other <= 8)) {
      return new WeightBytes(average, average);
    }
    return new WeightBytes(expert, other);
  }
}
