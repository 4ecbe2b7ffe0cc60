package dev.tuner.core.recommend;

import dev.tuner.api.Bound;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.Quantization;

/**
 * One configuration that fits and meets the latency budget. {@code tokensPerSecond} is the predicted aggregate
 * decode rate over the batch (never above {@code rooflineTokensPerSecond}); {@code msPerToken} is the time each
 * sequence waits per token, {@code 1000 × batch / tokensPerSecond}. The roofline figures place it on a roofline
 * chart: {@code arithmeticIntensity} in FLOPs per byte of a step, {@code flopsPerToken}, and the compute peak used.
 */
public record Candidate(
    Quantization quant,
    KvCacheType kvCache,
    int batch,
    int context,
    double tokensPerSecond,
    double msPerToken,
    double rooflineTokensPerSecond,
    Bound bound,
    double arithmeticIntensity,
    double flopsPerToken,
    double peakTflops,
    MemoryEstimate memory) {

  /** The predicted rate as arithmetic throughput, in TFLOPS: where the candidate sits on a roofline chart. */
  public double achievedTflops() {
    return tokensPerSecond * flopsPerToken / 1e12;
  }

  /** Short label such as {@code Q4_K_M/f16 ×8}. */
  public String label() {
    return quant.name() + "/" + kvCache.id() + " ×" + batch;
  }
}
