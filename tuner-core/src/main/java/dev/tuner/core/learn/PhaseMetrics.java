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
   * Metrics per group label and phase, for the rows of each label ({@code low}/{@code high} may be null: no
   * intervals). Labels sorted by name; a phase with no rows in a group is absent.
   */
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
      byPhase.forEach((phase, idx) -> {
        double[] ms = pick(measured, idx);
        double[] pr = pick(predicted, idx);
        m.put(phase, low == null ? withoutIntervals(ms, pr) : of(ms, pr, pick(low, idx), pick(high, idx)));
      });
      out.put(label, m);
    });
    return out;
  }

  static double[] pick(double[] values, List<Integer> rows) {
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
