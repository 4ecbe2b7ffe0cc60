package dev.tuner.serving;

/**
 * Seconds one iteration needs, each at its peak: reading the weights, arithmetic, GPU-to-GPU traffic, reading and
 * writing the KV cache, and the part of the arithmetic that is attention ({@code attention ≤ compute}). The linear
 * layers (GEMMs over the weights) and attention are separate kernels run one after the other in every layer, so each
 * is bound by its own roofline: {@code max(weights, compute − attention)} and {@code max(kv, attention)}.
 * {@code interconnect} is the collectives' bytes at the link's bandwidth; {@code collectives} is how many
 * collectives (all-reduces, all-to-alls, stage transfers) the iteration runs one after another, whatever their size,
 * and {@code latency} their latency in all, which no share of the link's bandwidth shortens.
 */
public record StepTimes(double weights, double compute, double interconnect, double kv, double attention,
    double collectives, double latency) {
  /** An iteration whose collectives' latency is counted in {@code interconnect}, if anywhere. */
  public StepTimes(double weights, double compute, double interconnect, double kv, double attention,
      double collectives) {
    this(weights, compute, interconnect, kv, attention, collectives, 0);
  }

  /** An iteration without collectives. */
  public StepTimes(double weights, double compute, double interconnect, double kv, double attention) {
    this(weights, compute, interconnect, kv, attention, 0);
  }

  /** An iteration without attention arithmetic. */
  public StepTimes(double weights, double compute, double interconnect, double kv) {
    this(weights, compute, interconnect, kv, 0);
  }

  /** An iteration whose memory traffic is all weights. */
  public StepTimes(double memory, double compute, double interconnect) {
    this(memory, compute, interconnect, 0, 0);
  }

  /** All memory traffic. */
  public double memory() {
    return weights + kv;
  }

  /** Arithmetic of the linear layers (everything but attention). */
  public double linear() {
    return compute - attention;
  }
}
