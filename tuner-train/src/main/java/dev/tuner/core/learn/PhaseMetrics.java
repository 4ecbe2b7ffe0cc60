package dev.tuner.core.learn;

import dev.tuner.core.scenario.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accuracy on held-out rows of one phase. Errors are fractions (0.12 = 12%). {@code r2} is the coefficient of
 * determination of log tokens/s (throughput spans four orders of magnitude, so the log scale is the meaningful
 * one). {@code coverage} is the share of measurements inside their prediction interval, NaN when the predictor has
 * no intervals; 0 rows give 0s.
 */
public record PhaseMetrics(int n, double mape, double medianApe, double r2, double coverage) {

  static PhaseMetrics of(double[] measured, double[] predicted, double[] low, double[] high) {
    PhaseMetrics m = withoutIntervals(measured, predicted);
    if (m.n() == 0) {
      return m;
    }
    int covered = 0;
    for (int i = 0; i < measured.length; i++) {
      if (measured[i] >= low[i] && measured[i] <= high[i]) {
        covered++;
      }
    }
    return new PhaseMetrics(m.n(), m.mape(), m.medianApe(), m.r2(), (double) covered / m.n());
  }

  /**
   * Metrics of each phase over the rows of that phase, every phase present (0 rows give 0s). {@code low} and
   * {@code high} are null when the predictor has no intervals.
   */
  static Map<Phase, PhaseMetrics> byPhase(Phase[] phases, double[] measured, double[] predicted, double[] low,
      double[] high) {
    Map<Phase, PhaseMetrics> out = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < phases.length; i++) {
        if (phases[i] == p) {
          rows.add(i);
        }
      }
      out.put(p, over(rows, measured, predicted, low, high));
    }
    return out;
  }

  /** {@link #byPhase} per group label, labels sorted by name; a phase with no rows in a group is absent. */
  static Map<String, Map<Phase, PhaseMetrics>> byGroup(String[] labels, Phase[] phases, double[] measured,
      double[] predicted, double[] low, double[] high) {
    Map<String, Map<Phase, List<Integer>>> rows = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      rows.computeIfAbsent(labels[i], k -> new EnumMap<>(Phase.class))
          .computeIfAbsent(phases[i], k -> new ArrayList<>()).add(i);
    }
    Map<String, Map<Phase, PhaseMetrics>> out = new TreeMap<>();
    rows.forEach((label, byPhase) -> {
      Map<Phase, PhaseMetrics> m = new EnumMap<>(Phase.class);
      byPhase.forEach((phase, idx) -> m.put(phase, over(idx, measured, predicted, low, high)));
      out.put(label, m);
    });
    return out;
  }

  private static PhaseMetrics over(List<Integer> rows, double[] measured, double[] predicted, double[] low,
      double[] high) {
    double[] ms = pick(measured, rows);
    double[] pr = pick(predicted, rows);
    return low == null ? withoutIntervals(ms, pr) : of(ms, pr, pick(low, rows), pick(high, rows));
  }

  private static double[] pick(double[] values, List<Integer> rows) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[rows.get(i)];
    }
    return out;
  }

  static PhaseMetrics withoutIntervals(double[] measured, double[] predicted) {
    int n = measured.length;
    if (n == 0) {
      return new PhaseMetrics(0, 0, 0, 0, 0);
    }
    double[] ape = new double[n];
    double sumApe = 0;
    double meanLog = 0;
    for (int i = 0; i < n; i++) {
      ape[i] = Math.abs(predicted[i] - measured[i]) / measured[i];
      sumApe += ape[i];
      meanLog += Math.log(measured[i]);
    }
    meanLog /= n;
    double ssRes = 0;
    double ssTot = 0;
    for (int i = 0; i < n; i++) {
      double lm = Math.log(measured[i]);
      double lp = Math.log(Math.max(predicted[i], 1e-9));
      ssRes += (lm - lp) * (lm - lp);
      ssTot += (lm - meanLog) * (lm - meanLog);
    }
    Arrays.sort(ape);
    double median = n % 2 == 1 ? ape[n / 2] : (ape[n / 2 - 1] + ape[n / 2]) / 2;
    double r2 = ssTot > 0 ? 1 - ssRes / ssTot : 0;
    return new PhaseMetrics(n, sumApe / n, median, r2, Double.NaN);
  }
}
