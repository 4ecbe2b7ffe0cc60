package dev.tuner.core.roofline;

import dev.tuner.api.Bound;
import dev.tuner.api.OutputKind;
import java.util.List;
import java.util.Objects;

/**
 * The roofline of one scenario. Roofs are in tokens/s (aggregate over the batch for decode, prompt tokens/s for
 * prefill); {@code tokensPerSecond} is the lower of the two. {@code bytesPerStep} is what one step moves from memory,
 * {@code tokensPerStep} the tokens it yields, {@code flopsPerToken} the arithmetic per token, and
 * {@code arithmeticIntensity} FLOPs per byte of the step. {@code peakTflops} is the compute peak used (possibly
 * assumed; see {@code assumptions}); {@code computeRoof} is infinite when no peak could be used.
 * {@code vectorTflops} is the FP32 peak of the device's non-tensor ALUs (possibly assumed; 0 when unknown and not
 * estimable). It does not enter the bound, which stays the lower of the memory roof and the tensor compute roof;
 * it tells how much arithmetic per byte a kernel that dequantises on those ALUs can spend. {@code serialRoof} is
 * the decode step's throughput if its memory time and the time its FLOPs take at the vector peak added up instead of
 * overlapping, never above {@code tokensPerSecond}; for prefill (matrix-matrix work on tensor cores) and where the
 * vector peak is unknown, it is {@code tokensPerSecond}. It is no bound: it is what {@link
 * OutputKind#LOG_SERIAL_ROOF_FRACTION} is a fraction of; on several devices it adds the collectives' time to the
 * step. {@code interconnectRoof} is the roof of the collectives (infinite on one device or when the link is
 * unknown), and {@code detail} the arithmetic per replica step. {@code features} is what the learned model reads
 * of the device's peaks: best estimates where the bound uses generous ones (see {@link SpecEstimates}).
 * {@code oneSequence} is the roofline of the same decode step with a batch of one (figures only), for a batched
 * decode step; null otherwise, where {@link #oneSequence()} is this result itself. {@code generation} is, for a
 * prefill step, the roofline of the same prompt generated one token at a time (the decode of a window as long as the
 * prompt after the same depth, figures only), which a prompt is never slower than; null for a decode step and in
 * the figures of {@link Roofline#computeFigures}.
 */
public record RooflineResult(
    double tokensPerSecond,
    double memoryRoof,
    double computeRoof,
    Bound bound,
    double bytesPerStep,
    double weightBytes,
    double kvBytesPerStep,
    double tokensPerStep,
    double flopsPerToken,
    double peakTflops,
    double vectorTflops,
    double arithmeticIntensity,
    double serialRoof,
    List<String> assumptions,
    double interconnectRoof,
    StepDetail detail,
    FeatureFigures features,
    RooflineResult oneSequence,
    RooflineResult generation) {

  /** The figures before feature figures existed: the model then reads the bound's peak, with nothing imputed. */
  public RooflineResult(double tokensPerSecond, double memoryRoof, double computeRoof, Bound bound,
      double bytesPerStep, double weightBytes, double kvBytesPerStep, double tokensPerStep, double flopsPerToken,
      double peakTflops, double vectorTflops, double arithmeticIntensity, double serialRoof, List<String> assumptions,
      double interconnectRoof, StepDetail detail) {
    this(tokensPerSecond, memoryRoof, computeRoof, bound, bytesPerStep, weightBytes, kvBytesPerStep, tokensPerStep,
        flopsPerToken, peakTflops, vectorTflops, arithmeticIntensity, serialRoof, assumptions, interconnectRoof,
        detail, FeatureFigures.catalogued(peakTflops));
  }

  /** A result with its feature figures, for a step that is not a batched decode. */
  public RooflineResult(double tokensPerSecond, double memoryRoof, double computeRoof, Bound bound,
      double bytesPerStep, double weightBytes, double kvBytesPerStep, double tokensPerStep, double flopsPerToken,
      double peakTflops, double vectorTflops, double arithmeticIntensity, double serialRoof, List<String> assumptions,
      double interconnectRoof, StepDetail detail, FeatureFigures features) {
    this(tokensPerSecond, memoryRoof, computeRoof, bound, bytesPerStep, weightBytes, kvBytesPerStep, tokensPerStep,
        flopsPerToken, peakTflops, vectorTflops, arithmeticIntensity, serialRoof, assumptions, interconnectRoof,
        detail, features, null, null);
  }

  public RooflineResult {
    assumptions = List.copyOf(assumptions);
    Objects.requireNonNull(features, "features");
  }

  /** The roofline of this step with a batch of one sequence: this result unless the step is a batched decode. */
  @Override
  public RooflineResult oneSequence() {
    return oneSequence == null ? this : oneSequence;
  }

  /**
   * Whether the prediction rests on assumed figures: an imputed device peak (known in every path) or, when the
   * assumptions were written out, any other assumption (an unknown model shape or interconnect).
   */
  public boolean imputed() {
    return features.imputed() || !assumptions.isEmpty();
  }

  /** The compute roof at the features' peak (linear in the peak); infinite when no peak is known. */
  public double featureComputeRoof() {
    if (features.peakTflops() == peakTflops) {
      return computeRoof;
    }
    if (features.peakTflops() <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    return peakTflops > 0 ? computeRoof * (features.peakTflops() / peakTflops)
        : Double.POSITIVE_INFINITY;
  }

  /** The roofline at the features' peak: what the model is told a step takes at best. */
  public double featureTokensPerSecond() {
    double compute = featureComputeRoof();
    return compute == computeRoof ? tokensPerSecond : Math.min(memoryRoof, Math.min(compute, interconnectRoof));
  }

  /** {@link #roofRatio} at the features' peak. */
  public double featureRoofRatio() {
    double compute = featureComputeRoof();
    return Double.isInfinite(compute) ? 0 : memoryRoof / compute;
  }

  /** What a model's raw output of {@code kind} is relative to: the serial roof or the roofline. */
  public double referenceFor(OutputKind kind) {
    return kind.usesSerialRoof() ? serialRoof : tokensPerSecond;
  }

  /**
   * Seconds per token, over all replicas, that the step's KV-cache traffic takes at the memory bandwidth: the part of
   * {@code 1 / memoryRoof} that reads the cache (0 without a step detail).
   */
  public double kvSecondsPerToken() {
    return detail == null || !(tokensPerStep > 0) ? 0 : detail.kvSeconds() / (detail.replicas() * tokensPerStep);
  }

  /** Memory roof over compute roof: above 1 the step is compute-bound. Infinite compute roof gives 0. */
  public double roofRatio() {
    return Double.isInfinite(computeRoof) ? 0 : memoryRoof / computeRoof;
  }
}
