package dev.tuner.core.learn;

import java.util.Arrays;

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
