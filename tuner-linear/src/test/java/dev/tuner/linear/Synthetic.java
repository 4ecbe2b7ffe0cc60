package dev.tuner.linear;

import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded synthetic data for the tests: y = intercept + Σ beta_j x_j + noise, x uniform in [0, 1]. */
final class Synthetic {

  static final SchemaRef SCHEMA = new SchemaRef("test-schema", "0123456789abcdef".repeat(4));

  private Synthetic() {}

  static TrainingSet linear(long seed, int rows, double intercept, double[] beta, double noise) {
    SplittableRandom random = new SplittableRandom(seed);
    int p = beta.length;
    float[] x = new float[rows * p];
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double target = intercept;
      for (int j = 0; j < p; j++) {
        float v = (float) random.nextDouble();
        x[r * p + j] = v;
        target += beta[j] * v;
      }
      y[r] = target + noise * gaussian(random);
    }
    return new TrainingSet(SCHEMA, names(p), x, y, OutputKind.LOG_TOKENS_PER_SECOND);
  }

  static List<String> names(int p) {
    List<String> names = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      names.add("x" + j);
    }
    return names;
  }

  static double[] uniform(SplittableRandom random, int n, double low, double high) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = low + (high - low) * random.nextDouble();
    }
    return v;
  }

  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  static TrainedModel train(TrainingSet data, long seed, Map<String, String> hyperParameters) {
    return new RidgeTrainer().train(data, new TrainingOptions(seed, hyperParameters, 1, ProgressListener.NONE));
  }

  static LinearModel model(TrainedModel trained) {
    return (LinearModel) trained.model();
  }

  static ModelPayload payload(TrainedModel trained) {
    return new ModelPayload(trained.model().info(), trained.payload());
  }

  static ModelPayload payload(TrainedModel trained, byte[] bytes) {
    return new ModelPayload(trained.model().info(), bytes);
  }

  /** Population mean and standard deviation of each column, computed independently of the trainer. */
  static double[][] columnStats(TrainingSet data) {
    int n = data.rows();
    int p = data.width();
    float[] x = data.features();
    double[] mean = new double[p];
    double[] std = new double[p];
    for (int j = 0; j < p; j++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += x[r * p + j];
      }
      mean[j] = s / n;
      double ss = 0;
      for (int r = 0; r < n; r++) {
        double d = x[r * p + j] - mean[j];
        ss += d * d;
      }
      std[j] = Math.sqrt(ss / n);
    }
    return new double[][] {mean, std};
  }
}
