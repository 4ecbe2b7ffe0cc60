package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingSet;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RidgeExactnessTest {

  @ParameterizedTest
  @ValueSource(doubles = {1e-4, 0.05, 3.0})
  void fixedLambdaSolvesTheNormalEquationsAndAgreesWithGaussianElimination(double lambda) {
    SplittableRandom random = new SplittableRandom(11);
    double[] beta = Synthetic.uniform(random, 8, -3, 3);
    TrainingSet data = Synthetic.linear(12, 150, 1.5, beta, 0.1);
    LinearModel model = Synthetic.model(Synthetic.train(data, 1, Map.of("lambda", Double.toString(lambda))));

    int n = data.rows();
    int p = data.width();
    double[][] stats = Synthetic.columnStats(data);
    double[] mean = stats[0];
    double[] std = stats[1];
    double yMean = 0;
    for (double y : data.targets()) {
      yMean += y;
    }
    yMean /= n;
    double[][] a = new double[p][p];
    double[] b = new double[p];
    float[] x = data.features();
    for (int r = 0; r < n; r++) {
      double[] z = new double[p];
      for (int j = 0; j < p; j++) {
        z[j] = (x[r * p + j] - mean[j]) / std[j];
      }
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          a[i][j] += z[i] * z[j];
        }
        b[i] += z[i] * (data.target(r) - yMean);
      }
    }
    for (int i = 0; i < p; i++) {
      a[i][i] += lambda * n;
    }
    double[] raw = model.weights();
    double[] w = new double[p];
    for (int j = 0; j < p; j++) {
      w[j] = raw[j] * std[j];
    }

    double gradientNorm = 0;
    double rhsNorm = 0;
    for (int i = 0; i < p; i++) {
      double g = -b[i];
      for (int j = 0; j < p; j++) {
        g += a[i][j] * w[j];
      }
      gradientNorm += g * g;
      rhsNorm += b[i] * b[i];
    }
    assertThat(Math.sqrt(gradientNorm)).isLessThanOrEqualTo(1e-9 * Math.sqrt(rhsNorm));

    double[] reference = gaussianElimination(a, b);
    for (int j = 0; j < p; j++) {
      assertThat(w[j]).as("standardised weight %d", j).isCloseTo(reference[j], within(1e-8));
    }
    double intercept = yMean;
    for (int j = 0; j < p; j++) {
      intercept -= reference[j] / std[j] * mean[j];
    }
    assertThat(model.intercept()).isCloseTo(intercept, within(1e-8));
    assertThat(model.lambda()).isEqualTo(lambda);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1e-10"})
  void vanishingLambdaRecoversTheTrueCoefficientsOfNoiselessData(String lambda) {
    SplittableRandom random = new SplittableRandom(21);
    double[] beta = Synthetic.uniform(random, 6, -5, 5);
    TrainingSet data = Synthetic.linear(22, 100, 2.5, beta, 0);
    LinearModel model = Synthetic.model(Synthetic.train(data, 1, Map.of("lambda", lambda)));

    double[] weights = model.weights();
    for (int j = 0; j < beta.length; j++) {
      assertThat(weights[j]).as("weight %d", j).isCloseTo(beta[j], within(1e-6));
    }
    assertThat(model.intercept()).isCloseTo(2.5, within(1e-6));
  }

  @Test
  void crossValidationPicksMoreShrinkageForNoisyDataWithIrrelevantFeatures() {
    SplittableRandom random = new SplittableRandom(31);
    TrainingSet clean = Synthetic.linear(32, 200, 0.5, Synthetic.uniform(random, 5, -2, 2), 1e-3);
    double[] sparse = new double[30];
    sparse[0] = 0.3;
    sparse[1] = -0.3;
    TrainingSet noisy = Synthetic.linear(33, 45, 0.5, sparse, 1.0);

    LinearModel cleanModel = Synthetic.model(Synthetic.train(clean, 7, Map.of()));
    LinearModel noisyModel = Synthetic.model(Synthetic.train(noisy, 7, Map.of()));

    assertThat(cleanModel.lambda()).isLessThan(1e-3);
    assertThat(noisyModel.lambda()).isGreaterThan(100 * cleanModel.lambda()).isGreaterThan(1e-2);
    assertThat(noisyModel.info().properties())
        .containsEntry("lambda", "auto")
        .containsEntry("chosen_lambda", Double.toString(noisyModel.lambda()))
        .containsKey("cv_mse");
    assertThat(noisyModel.info().properties().get("cv_mse").split(" ")).hasSize(25);
  }

  @Test
  void constantFeatureGetsWeightZeroAndIsReportedAsDropped() {
    SplittableRandom random = new SplittableRandom(41);
    TrainingSet base = Synthetic.linear(42, 60, 1, Synthetic.uniform(random, 4, -1, 1), 0.05);
    float[] x = base.features();
    for (int r = 0; r < base.rows(); r++) {
      x[r * 4 + 2] = 0.7f;
      // A feature that is non-zero in one row only is constant on the training rows of the fold holding that row out.
      x[r * 4 + 3] = r == 5 ? 1f : 0f;
    }
    TrainingSet data = new TrainingSet(base.schema(), base.featureNames(), x, base.targets(), base.target());
    LinearModel model = Synthetic.model(Synthetic.train(data, 3, Map.of()));

    assertThat(model.weights()[2]).isZero();
    assertThat(model.stds()[2]).isZero();
    assertThat(Arrays.stream(model.weights()).allMatch(Double::isFinite)).isTrue();
    assertThat(model.intercept()).isFinite();
    assertThat(model.info().properties()).containsEntry("dropped_features", "x2");
    float[] probe = {0.2f, 0.9f, 0.1f, 1f};
    assertThat(model.predict(probe)).isFinite();
    assertThat(model.attribution(probe, 4)).extracting(f -> f.feature()).doesNotContain("x2");
  }

  @Test
  void collinearFeaturesWithoutShrinkageFailNamingLambda() {
    SplittableRandom random = new SplittableRandom(51);
    TrainingSet base = Synthetic.linear(52, 40, 1, Synthetic.uniform(random, 4, -1, 1), 0.05);
    float[] x = base.features();
    for (int r = 0; r < base.rows(); r++) {
      x[r * 4 + 3] = x[r * 4 + 1];
    }
    TrainingSet data = new TrainingSet(base.schema(), base.featureNames(), x, base.targets(), base.target());

    assertThatThrownBy(() -> Synthetic.train(data, 1, Map.of("lambda", "0")))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("lambda = 0.0")
        .hasMessageContaining("'x3'");
    assertThat(Arrays.stream(Synthetic.model(Synthetic.train(data, 1, Map.of())).weights()).allMatch(Double::isFinite))
        .isTrue();
  }

  /** An independent dense solver: Gaussian elimination with partial pivoting on the augmented system. */
  private static double[] gaussianElimination(double[][] a, double[] b) {
    int p = b.length;
    double[][] m = new double[p][p + 1];
    for (int i = 0; i < p; i++) {
      System.arraycopy(a[i], 0, m[i], 0, p);
      m[i][p] = b[i];
    }
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      for (int r = c + 1; r < p; r++) {
        double f = m[r][c] / m[c][c];
        for (int k = c; k <= p; k++) {
          m[r][k] -= f * m[c][k];
        }
      }
    }
    double[] x = new double[p];
    for (int r = p - 1; r >= 0; r--) {
      double s = m[r][p];
      for (int k = r + 1; k < p; k++) {
        s -= m[r][k] * x[k];
      }
      x[r] = s / m[r][r];
    }
    return x;
  }
}
