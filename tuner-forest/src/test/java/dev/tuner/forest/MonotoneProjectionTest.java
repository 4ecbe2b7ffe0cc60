package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MonotoneProjectionTest {

  /**
   * Root splits on x0 at 0.5, each side on x1 at 0.5; leaves (x0 low, x1 low) 3, (low, high) 10, (high, low) 4,
   * (high, high) 0.
   */
  private static FlatForest.Tree twoByTwo() {
    return new FlatForest.Tree(
        new int[] {0, 1, -1, -1, 1, -1, -1},
        new float[] {0.5f, 0.5f, 0, 0, 0.5f, 0, 0},
        new int[] {1, 2, -1, -1, 5, -1, -1},
        new int[] {4, 3, -1, -1, 6, -1, -1},
        new double[] {4.25, 6.5, 3, 10, 2, 4, 0});
  }

  /**
   * {@link #twoByTwo} projected +1 in x0: only leaves that share an x1 range are ordered: (3, 4) already is, (10, 0) is
   * not and both become their mean 5. The leaves 3 and 4 keep their values: no input moves from the x1-high leaf 10
   * to the x1-low leaf 4 by changing x0 alone.
   */
  @org.junit.jupiter.api.Test
  void onlyLeavesThatShareTheOtherFeaturesAreOrdered() {
    double[] v = MonotoneProjection.project(twoByTwo(), new int[] {1, 0}, new double[7]).value();
    assertThat(new double[] {v[2], v[3], v[5], v[6]}).containsExactly(3, 5, 4, 5);
  }

  /**
   * The same violated pair (10 above 0) with weights 3 and 1: both go to the weighted mean (3·10 + 1·0) / 4 = 7.5,
   * so the leaf holding more rows moves less.
   */
  @org.junit.jupiter.api.Test
  void aViolatedPairMeetsAtItsWeightedMean() {
    double[] v = MonotoneProjection.project(twoByTwo(), new int[] {1, 0}, new double[] {0, 0, 1, 3, 0, 1, 1}).value();
    assertThat(new double[] {v[2], v[3], v[5], v[6]}).containsExactly(3, 7.5, 4, 7.5);
  }

  /**
   * A chain across two splits on x0 (thresholds 0.3 and 0.6, leaves 9, 1, 2 from low to high x0, equal weights),
   * projected +1. The root orders the first leaf below both others, the second split the second below the third. One
   * sweep: (9, 1) meet at 5; (5, 2) at 3.5; then the second and third (5, 3.5) at 4.25. Nothing is violated any more:
   * 3.5, 4.25, 4.25, in order, with the same total as before (12).
   */
  @org.junit.jupiter.api.Test
  void ordersPropagateAlongAChain() {
    FlatForest.Tree tree = new FlatForest.Tree(
        new int[] {0, -1, 0, -1, -1},
        new float[] {0.3f, 0, 0.6f, 0, 0},
        new int[] {1, -1, 3, -1, -1},
        new int[] {2, -1, 4, -1, -1},
        new double[] {4, 9, 1.5, 1, 2});
    double[] v = MonotoneProjection.project(tree, new int[] {1}, new double[5]).value();
    assertThat(new double[] {v[1], v[3], v[4]}).containsExactly(3.5, 4.25, 4.25);
  }

  /** Random trees over three features, projected +1 in x0 and -1 in x1, are monotone along both everywhere. */
  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
  void randomTreesAreMonotoneAfterProjection(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    java.util.List<int[]> shape = new java.util.ArrayList<>();
    java.util.List<Float> thresholds = new java.util.ArrayList<>();
    grow(rnd, 0, shape, thresholds);
    int n = shape.size();
    int[] feature = new int[n];
    int[] left = new int[n];
    int[] right = new int[n];
    float[] threshold = new float[n];
    double[] value = new double[n];
    for (int i = 0; i < n; i++) {
      feature[i] = shape.get(i)[0];
      left[i] = shape.get(i)[1];
      right[i] = shape.get(i)[2];
      threshold[i] = thresholds.get(i);
      value[i] = rnd.nextDouble() * 10;
    }
    FlatForest.Tree projected = MonotoneProjection.project(
        new FlatForest.Tree(feature, threshold, left, right, value), new int[] {1, -1, 0}, weights(rnd, n));
    for (int probe = 0; probe < 300; probe++) {
      float[] x = {(float) rnd.nextDouble(), (float) rnd.nextDouble(), (float) rnd.nextDouble()};
      for (int f = 0; f < 2; f++) {
        double previous = Double.NaN;
        for (int k = 0; k <= 40; k++) {
          x[f] = k / 40f;
          double y = walk(projected, x);
          if (!Double.isNaN(previous)) {
            assertThat(f == 0 ? y - previous : previous - y).isGreaterThanOrEqualTo(0);
          }
          previous = y;
        }
      }
    }
  }

  /** Appends a random subtree in pre-order: {feature, left, right} per node, leaves {-1, -1, -1}. */
  private static int grow(SplittableRandom rnd, int depth, java.util.List<int[]> shape,
      java.util.List<Float> thresholds) {
    int at = shape.size();
    if (depth >= 6 || (depth > 1 && rnd.nextDouble() < 0.25)) {
      shape.add(new int[] {-1, -1, -1});
      thresholds.add(0f);
      return at;
    }
    shape.add(new int[] {rnd.nextInt(3), 0, 0});
    thresholds.add((float) rnd.nextDouble());
    int l = grow(rnd, depth + 1, shape, thresholds);
    int r = grow(rnd, depth + 1, shape, thresholds);
    shape.get(at)[1] = l;
    shape.get(at)[2] = r;
    return at;
  }

  private static double[] weights(SplittableRandom rnd, int n) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = 1 + rnd.nextInt(50);
    }
    return w;
  }

  private static double walk(FlatForest.Tree t, float[] x) {
    return t.value()[t.leaf(x, 0)];
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
