package dev.tuner.core.artifact;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Phase;
import java.util.Arrays;
import java.util.Objects;

/**
 * Held-out nonconformity scores of a model, per phase, from which split-conformal intervals are built at any
 * level: {@code |target − raw|} in the model's output units ({@link Method#ABSOLUTE_RESIDUAL}), or that divided by
 * the model's own spread ({@link Method#SPREAD_NORMALISED}). {@code featureMin}/{@code featureMax} bound the training
 * inputs, so a prediction can tell how far it extrapolates. {@link Method#NONE} means no held-out data exists: the
 * interval then spans everything the roofline allows.
 */
public record Calibration(Method method, double[] decodeScores, double[] prefillScores, float[] featureMin,
    float[] featureMax) {

  public enum Method {
    ABSOLUTE_RESIDUAL,
    SPREAD_NORMALISED,
    NONE
  }

  public Calibration {
    Objects.requireNonNull(method, "calibration method");
    decodeScores = sorted(decodeScores, "decode");
    prefillScores = sorted(prefillScores, "prefill");
    featureMin = featureMin.clone();
    featureMax = featureMax.clone();
    if (featureMin.length != featureMax.length) {
      throw new InvalidInputException("calibration feature range", featureMin.length + " vs " + featureMax.length,
          "minimum and maximum of the same width");
    }
  }

  public static Calibration none(int width) {
    float[] lo = new float[width];
    float[] hi = new float[width];
    Arrays.fill(hi, 1f);
    return new Calibration(Method.NONE, new double[0], new double[0], lo, hi);
  }

  private static double[] sorted(double[] scores, String phase) {
    double[] s = scores.clone();
    for (double v : s) {
      if (!Double.isFinite(v) || v < 0) {
        throw new InvalidInputException("calibration score (" + phase + ")", v, "a finite number >= 0");
      }
    }
    Arrays.sort(s);
    return s;
  }

  public double[] scores(Phase phase) {
    return phase == Phase.DECODE ? decodeScores.clone() : prefillScores.clone();
  }

  /**
   * The split-conformal quantile at {@code level}: the ⌈(n+1)·level⌉-th smallest score, which covers a new
   * exchangeable point with probability at least {@code level}. Infinite when there are too few scores.
   */
  public double quantile(Phase phase, double level) {
    double[] s = phase == Phase.DECODE ? decodeScores : prefillScores;
    if (method == Method.NONE || s.length == 0) {
      return Double.POSITIVE_INFINITY;
    }
    int k = (int) Math.ceil((s.length + 1) * level);
    return k > s.length ? Double.POSITIVE_INFINITY : s[k - 1];
  }

  /** Share of slots of {@code x} inside the training range (1 = nothing extrapolated). */
  public double inRangeShare(float[] x) {
    if (method == Method.NONE || x.length != featureMin.length) {
      return 1;
    }
    int inside = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] >= featureMin[i] && x[i] <= featureMax[i]) {
        inside++;
      }
    }
    return (double) inside / x.length;
  }

  @Override
  public double[] decodeScores() {
    return decodeScores.clone();
  }

  @Override
  public double[] prefillScores() {
    return prefillScores.clone();
  }

  @Override
  public float[] featureMin() {
    return featureMin.clone();
  }

  @Override
  public float[] featureMax() {
    return featureMax.clone();
  }
}
