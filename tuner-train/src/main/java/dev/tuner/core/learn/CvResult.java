package dev.tuner.core.learn;

import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.scenario.Phase;
import java.util.Map;

/**
 * Out-of-fold results of one candidate: metrics per phase, and per row the prediction, interval and
 * nonconformity score ({@code scores}, in the units of {@code calibrationMethod} and {@code spreadOffset}) that calibrate the final model, and the
 * metrics per held-out device (per model for leave-one-model-out) in {@code groups}; {@code newArchitecture} marks
 * the rows whose device's architecture no training row of their fold ran on.
 */
public record CvResult(
    String candidate,
    String method,
    int folds,
    double level,
    Map<Phase, PhaseMetrics> phases,
    Calibration.Method calibrationMethod,
    Calibration.SpreadOffset spreadOffset,
    double[] predicted,
    double[] low,
    double[] high,
    double[] scores,
    String groupedBy,
    Map<String, Map<Phase, PhaseMetrics>> groups,
    boolean[] newArchitecture) {

  public CvResult {
    phases = Map.copyOf(phases);
    newArchitecture = newArchitecture.clone();
    groups = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(groups));
  }

  @Override
  public boolean[] newArchitecture() {
    return newArchitecture.clone();
  }

  public PhaseMetrics phase(Phase p) {
    return phases.get(p);
  }
}
