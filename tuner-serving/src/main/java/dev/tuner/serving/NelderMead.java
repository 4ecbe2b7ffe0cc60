package dev.tuner.serving;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/** Derivative-free minimisation (Nelder-Mead simplex, standard coefficients) for the few engine terms. */
final class NelderMead {
  private NelderMead() {}

  static double[] minimise(ToDoubleFunction<double[]> f, double[] start, double step, int maxEvaluations) {
    int n = start.length;
    double[][] p = new double[n + 1][];
    double[] y = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      p[i] = start.clone();
      if (i > 0) {
        p[i][i - 1] += step;
      }
      y[i] = f.applyAsDouble(p[i]);
    }
    int evaluations = n + 1;
    while (evaluations < maxEvaluations) {
      Integer[] order = new Integer[n + 1];
      for (int i = 0; i <= n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(y[a], y[b]));
      double[][] ps = new double[n + 1][];
      double[] ys = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        ps[i] = p[order[i]];
        ys[i] = y[order[i]];
      }
      System.arraycopy(ps, 0, p, 0, n + 1);
      System.arraycopy(ys, 0, y, 0, n + 1);
      if (Math.abs(y[n] - y[0]) <= 1e-10 * (Math.abs(y[0]) + 1e-12)) {
        break;
      }
      double[] centroid = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          centroid[j] += p[i][j] / n;
        }
      }
      double[] reflected = along(centroid, p[n], -1);
      double yr = f.applyAsDouble(reflected);
      evaluations++;
      if (yr < y[0]) {
        double[] expanded = along(centroid, p[n], -2);
        double ye = f.applyAsDouble(expanded);
        evaluations++;
        p[n] = ye < yr ? expanded : reflected;
        y[n] = Math.min(ye, yr);
      } else if (yr < y[n - 1]) {
        p[n] = reflected;
        y[n] = yr;
      } else {
        double[] contracted = along(centroid, p[n], 0.5);
        double yc = f.applyAsDouble(contracted);
        evaluations++;
        if (yc < y[n]) {
          p[n] = contracted;
          y[n] = yc;
        } else {
          for (int i = 1; i <= n; i++) {
            p[i] = along(p[0], p[i], 0.5);
            y[i] = f.applyAsDouble(p[i]);
            evaluations++;
          }
        }
      }
    }
    int best = 0;
    for (int i = 1; i <= n; i++) {
      if (y[i] < y[best]) {
        best = i;
      }
    }
    return p[best];
  }

  /** {@code c + t·(x − c)}. */
  private static double[] along(double[] c, double[] x, double t) {
    double[] out = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      out[i] = c[i] + t * (x[i] - c[i]);
    }
    return out;
  }
}
