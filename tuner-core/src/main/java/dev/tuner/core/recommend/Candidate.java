package dev.tuner.core.recommend;

import dev.tuner.api.Bound;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;

/**
 * One configuration that fits and meets the latency budget. {@code tokensPerSecond} is the predicted aggregate
 * decode rate over the batch (never above {@code rooflineTokensPerSecond}); {@code msPerToken} is the time each
 * sequence waits per token, {@code 1000 × batch / tokensPerSecond}. The roofline figures place it on a roofline
 * chart: {@code arithmeticIntensity} in FLOPs per byte of a step, {@code flopsPerToken}, and the compute peak used.
 * {@code layout} is the devices it runs on; {@code memory} is what each of them holds. {@code interval} is the
 * prediction's interval, given to the candidates a recommendation shows (its top and Pareto front) and empty on the
 * rest of the grid, which is scored without intervals for speed.
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
    MemoryEstimate memory,
    ParallelLayout layout,
    java.util.Optional<dev.tuner.api.Interval> interval) {

  /** A candidate without an interval. */
  public Candidate(
      Quantization quant, KvCacheType kvCache, int batch, int context, double tokensPerSecond, double msPerToken,
      double rooflineTokensPerSecond, Bound bound, double arithmeticIntensity, double flopsPerToken,
      double peakTflops, MemoryEstimate memory, ParallelLayout layout) {
    this(quant, kvCache, batch, context, tokensPerSecond, msPerToken, rooflineTokensPerSecond, bound,
        arithmeticIntensity, flopsPerToken, peakTflops, memory, layout, java.util.Optional.empty());
  }

  /** A candidate on one device. */
  public Candidate(
      Quantization quant, KvCacheType kvCache, int batch, int context, double tokensPerSecond, double msPerToken,
      double rooflineTokensPerSecond, Bound bound, double arithmeticIntensity, double flopsPerToken,
      double peakTflops, MemoryEstimate memory) {
    this(quant, kvCache, batch, context, tokensPerSecond, msPerToken, rooflineTokensPerSecond, bound,
        arithmeticIntensity, flopsPerToken, peakTflops, memory, ParallelLayout.SINGLE);
  }

  public Candidate {
    java.util.Objects.requireNonNull(layout, "layout");
    java.util.Objects.requireNonNull(interval, "interval");
  }

  /** This candidate with the interval of its prediction. */
  public Candidate withInterval(dev.tuner.api.Interval i) {
    return new Candidate(quant, kvCache, batch, context, tokensPerSecond, msPerToken, rooflineTokensPerSecond, bound,
        arithmeticIntensity, flopsPerToken, peakTflops, memory, layout, java.util.Optional.of(i));
  }

  /** Aggregate tokens/s over the devices it takes: what each device adds. */
  public double tokensPerSecondPerDevice() {
    return tokensPerSecond / layout.devices();
  }

  /** The predicted rate as arithmetic throughput, in TFLOPS: where the candidate sits on a roofline chart. */
  public double achievedTflops() {
    return tokensPerSecond * flopsPerToken / 1e12;
  }

  /** Short label such as {@code Q4_K_M/f16 ×8}, with the layout on several devices ({@code … tp2·pp1·ep1}). */
  public String label() {
    return quant.name() + "/" + kvCache.id() + " ×" + batch + (layout.isSingle() ? "" : " " + layoutLabel(layout));
  }

  /** A layout in a few characters: {@code tp2·pp1·ep1}, with {@code ·dp4} when it has replicas. */
  public static String layoutLabel(ParallelLayout p) {
    return "tp" + p.tp() + "·pp" + p.pp() + "·ep" + p.ep() + (p.replicas() > 1 ? "·dp" + p.replicas() : "");
  }
}
