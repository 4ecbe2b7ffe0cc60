package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MonotoneProjectionTest {

  /**
   * Root splits on x0 at 0.5 (left value 3, right 1: decreasing), each side splits on x1. Projected +1 in x0 with
   * the root's mean 2: the left leaves 3 and 4 come down to 2, the right leaves 1 and 0 go up to 2, so every left
   * leaf (2, 2) is at most every right leaf (2, 2).
   */
  @org.junit.jupiter.api.Test
  void aDecreasingSplitIsClippedAtTheNodeMean() {
    FlatForest.Tree tree = new FlatForest.Tree(
        new int[] {0, 1, -1, -1, 1, -1, -1},
        new float[] {0.5f, 0.5f, 0, 0, 0.5f, 0, 0},
        new int[] {1, 2, -1, -1, 5, -1, -1},
        new int[] {4, 3, -1, -1, 6, -1, -1},
        new double[] {2, 3.5, 3, 4, 0.5, 1, 0});
    double[] v = MonotoneProjection.project(tree, new int[] {1, 0}).value();
    assertThat(v[2]).isEqualTo(2);
    assertThat(v[3]).isEqualTo(2);
    assertThat(v[5]).isEqualTo(2);
    assertThat(v[6]).isEqualTo(2);
  }

  /** Forests trained on noisy data with constraints in both directions are monotone along each feature. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void trainedForestsAreMonotoneInTheConstrainedFeatures(long seed) {
    var data = Synthetic.nonlinear(300, seed);
    var model = new ForestTrainer().train(data, Synthetic.options(seed, 1,
        Map.of("trees", "20", "monotone", "feature_00:+,feature_01:-"))).model();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int probe = 0; probe < 200; probe++) {
      float[] x = new float[data.width()];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) rnd.nextDouble();
      }
      for (int feature = 0; feature < 2; feature++) {
        double previous = Double.NaN;
        for (int k = 0; k <= 20; k++) {
          x[feature] = k / 20f;
          double y = model.predict(x);
          if (!Double.isNaN(previous)) {
            assertThat(feature == 0 ? y - previous : previous - y).isGreaterThanOrEqualTo(-1e-12);
          }
          previous = y;
        }
      }
    }
  }
}
