package dev.tuner.forest;

import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import smile.data.DataFrame;

/** Seeded synthetic training sets with 42 features in [0, 1]. */
final class Synthetic {
  static final int WIDTH = 42;
  static final SchemaRef SCHEMA = new SchemaRef("synthetic", "ab".repeat(32));

  private Synthetic() {}

  static List<String> names() {
    List<String> names = new ArrayList<>(WIDTH);
    for (int j = 0; j < WIDTH; j++) {
      names.add(String.format("feature_%02d", j));
    }
    return names;
  }

  /** A log-ish nonlinear target of several features, plus noise. */
  static TrainingSet nonlinear(int rows, long seed) {
    return make(rows, seed, x -> Math.log1p(4 * x[0] + 2 * x[1] * x[2]) + Math.sin(3 * x[3]) + (x[4] > 0.5 ? 0.4 : 0)
        + 0.3 * x[5] * x[5]);
  }

  /** A target that depends on features 3 and 7 only, plus a little noise. */
  static TrainingSet onlyThreeAndSeven(int rows, long seed) {
    return make(rows, seed, x -> 2 * x[3] + Math.log1p(6 * x[7]));
  }

  private static TrainingSet make(int rows, long seed, ToDoubleFunction<float[]> f) {
    var rng = new SplittableRandom(seed);
    float[] features = new float[rows * WIDTH];
    double[] targets = new double[rows];
    float[] row = new float[WIDTH];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < WIDTH; j++) {
        row[j] = (float) rng.nextDouble();
      }
      System.arraycopy(row, 0, features, i * WIDTH, WIDTH);
      targets[i] = f.applyAsDouble(row) + 0.05 * rng.nextGaussian();
    }
    return new TrainingSet(SCHEMA, names(), features, targets, OutputKind.LOG_TOKENS_PER_SECOND);
  }

  static TrainingOptions options(long seed, int threads, Map<String, String> hyperParameters) {
    return new TrainingOptions(seed, hyperParameters, threads, ProgressListener.NONE);
  }

  /** Small enough for fast tests. */
  static Map<String, String> small() {
    return Map.of("trees", "24", "max_nodes", "80");
  }

  /** The set as a Smile data frame with columns f0..f41 and y, as the trainer names them. */
  static DataFrame frame(TrainingSet set) {
    double[][] m = new double[set.rows()][set.width() + 1];
    String[] names = new String[set.width() + 1];
    for (int j = 0; j < set.width(); j++) {
      names[j] = "f" + j;
    }
    names[set.width()] = "y";
    float[] x = set.features();
    for (int i = 0; i < set.rows(); i++) {
      for (int j = 0; j < set.width(); j++) {
        m[i][j] = x[i * set.width() + j];
      }
      m[i][set.width()] = set.target(i);
    }
    return DataFrame.of(m, names);
  }
}
