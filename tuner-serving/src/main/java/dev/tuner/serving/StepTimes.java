package dev.tuner.serving;

/**
 * Seconds one iteration needs, each at its peak: reading the weights, arithmetic, GPU-to-GPU traffic, and reading
 * and writing the KV cache.
 */
public record StepTimes(double weights, double compute, double interconnect, double kv) {
  /** An iteration whose memory traffic is all weights. */
  public StepTimes(double memory, double compute, double interconnect) {
    this(memory, compute, interconnect, 0);
  }

  /** All memory traffic. */
  public double memory() {
    return weights + kv;
  }
}
