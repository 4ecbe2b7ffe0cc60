package dev.tuner.core.roofline;

/**
 * What the learned model reads of a device's peaks, beside the bound's figures: {@code peakTflops} is the peak of
 * the scenario's arithmetic at the best estimates of {@link SpecEstimates} (the bound uses the generous FP16 figure
 * instead); the flags say which figures the catalog does not give (the INT8 one only for integer arithmetic), and
 * {@code imputed} whether a figure the prediction rests on was imputed. Where every figure is catalogued the peak is
 * the bound's.
 */
public record FeatureFigures(double peakTflops, boolean fp16Missing, boolean fp32Missing, boolean int8Missing,
    boolean imputed) {

  /** Every figure catalogued: the model reads the bound's peak. */
  public static FeatureFigures catalogued(double peakTflops) {
    return new FeatureFigures(peakTflops, false, false, false, false);
  }
}
