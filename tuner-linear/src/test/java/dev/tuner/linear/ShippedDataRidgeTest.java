package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.TrainingSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exact ridge on Tribuo's linear algebra gives the coefficients of tuner's earlier hand-written Cholesky solver
 * (kept below as the reference, in test code only) within 1e-9 on the shipped data, at fixed strengths spanning the
 * cross-validation grid.
 */
class ShippedDataRidgeTest {

  private static final TrainingSet DATA = ShippedData.trainingSet();

  @ParameterizedTest
  @ValueSource(doubles = {1e-6, 1e-4, 0.01, 1.0, 1000.0})
  void coefficientsMatchTheEarlierCholeskySolver(double lambda) {
    LinearModel model = Synthetic.model(Synthetic.train(DATA, 42, Map.of("lambda", Double.toString(lambda))));
    double[][] reference = ReferenceRidge.fit(DATA, lambda);

    assertThat(DATA.rows()).as("usable shipped rows").isGreaterThan(500);
    double[] weights = model.weights();
    for (int j = 0; j < weights.length; j++) {
      assertThat(weights[j]).as("weight of %s", DATA.featureNames().get(j)).isCloseTo(reference[0][j], within(1e-9));
    }
    assertThat(model.intercept()).isCloseTo(reference[1][0], within(1e-9));
  }

  /** tuner's ridge solver before Tribuo: normal equations on standardised features, solved by a Cholesky by hand. */
  static final class ReferenceRidge {
    private ReferenceRidge() {}

    /** {raw-space weights, {intercept}}. */
    static double[][] fit(TrainingSet data, double lambda) {
      int n = data.rows();
      int p = data.width();
      float[] x = data.features();
      double[] y = data.targets();
      double[] mean = new double[p];
      double[] std = new double[p];
      boolean[] varies = new boolean[p];
      double yMean = 0;
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < p; j++) {
          mean[j] += x[r * p + j];
        }
        yMean += y[r];
      }
      yMean /= n;
      for (int j = 0; j < p; j++) {
        mean[j] /= n;
      }
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < p; j++) {
          double d = x[r * p + j] - mean[j];
          std[j] += d * d;
          varies[j] |= x[r * p + j] != x[j];
        }
      }
      int q = 0;
      for (int j = 0; j < p; j++) {
        std[j] = varies[j] ? Math.sqrt(std[j] / n) : 0;
        q += varies[j] ? 1 : 0;
      }
      int[] active = new int[q];
      for (int j = 0, k = 0; j < p; j++) {
        if (varies[j]) {
          active[k++] = j;
        }
      }
      double[][] l = new double[q][q];
      double[] rhs = new double[q];
      for (int r = 0; r < n; r++) {
        double[] z = new double[q];
        for (int k = 0; k < q; k++) {
          z[k] = (x[r * p + active[k]] - mean[active[k]]) / std[active[k]];
        }
        for (int i = 0; i < q; i++) {
          for (int k = 0; k <= i; k++) {
            l[i][k] += z[i] * z[k];
          }
          rhs[i] += z[i] * (y[r] - yMean);
        }
      }
      for (int i = 0; i < q; i++) {
        l[i][i] += lambda * n;
      }
      for (int j = 0; j < q; j++) {
        for (int i = j; i < q; i++) {
          double s = l[i][j];
          for (int k = 0; k < j; k++) {
            s -= l[i][k] * l[j][k];
          }
          l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
        }
      }
      double[] v = new double[q];
      for (int i = 0; i < q; i++) {
        double s = rhs[i];
        for (int k = 0; k < i; k++) {
          s -= l[i][k] * v[k];
        }
        v[i] = s / l[i][i];
      }
      double[] w = new double[q];
      for (int i = q - 1; i >= 0; i--) {
        double s = v[i];
        for (int k = i + 1; k < q; k++) {
          s -= l[k][i] * w[k];
        }
        w[i] = s / l[i][i];
      }
      double[] raw = new double[p];
      double intercept = yMean;
      for (int k = 0; k < q; k++) {
        raw[active[k]] = w[k] / std[active[k]];
        intercept -= raw[active[k]] * mean[active[k]];
      }
      return new double[][] {raw, {intercept}};
    }
  }
}
