package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.OutputKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The packed, branch-free walk against the plain walk of {@link FlatForest#leaf}, on random forests whose
 * thresholds and inputs include the awkward floats (±0, subnormals, values equal to a threshold, negatives, NaN of
 * either sign, ±∞): same leaves, and every prediction of {@link ForestModel} the same double as the plain
 * arithmetic gives.
 */
class PackedForestTest {
  private static final int WIDTH = 11;
  private static final float[] THRESHOLDS = {
      -1.5f, -0f, 0f, Float.MIN_VALUE, 0.25f, 0.5f, 0.75f, 1f, Float.MAX_VALUE, -Float.MAX_VALUE};
  private static final float[] INPUTS = {
      0f, Float.MIN_VALUE, 0.25f, 0.5f, 0.75f, 1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN};
  private static final float[] REJECTED_INPUTS = {
      -0f, -0.5f, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xffc00000)};

  @RepeatedTest(20)
  void reachesThePlainWalksLeafForEveryAcceptedRow(RepetitionInfo info) {
    var rng = new SplittableRandom(7000 + info.getCurrentRepetition());
    FlatForest forest = randomForest(rng, 1 + rng.nextInt(40));
    PackedForest packed = PackedForest.of(forest).orElseThrow();
    int[] leaves = new int[forest.treeCount()];
    for (int i = 0; i < 300; i++) {
      float[] x = row(rng, 0);
      assertThat(PackedForest.accepts(x, 0, WIDTH)).isTrue();
      packed.leaves(x, 0, leaves);
      for (int t = 0; t < forest.treeCount(); t++) {
        assertThat(leaves[t]).as("tree %d, row %s", t, java.util.Arrays.toString(x)).isEqualTo(forest.leaf(t, x, 0));
      }
    }
  }

  @Test
  void acceptsOnlyRowsWithoutASignBit() {
    float[] x = new float[WIDTH];
    assertThat(PackedForest.accepts(x, 0, WIDTH)).isTrue();
    for (float bad : REJECTED_INPUTS) {
      x[WIDTH - 1] = bad;
      assertThat(PackedForest.accepts(x, 0, WIDTH)).as("%s", bad).isFalse();
    }
  }

  @RepeatedTest(10)
  void everyPredictionEqualsThePlainArithmetic(RepetitionInfo info) {
    var rng = new SplittableRandom(8000 + info.getCurrentRepetition());
    FlatForest forest = randomForest(rng, 1 + rng.nextInt(30));
    ForestModel model = model(forest);
    int rows = 1 + rng.nextInt(3 * PackedForest.BLOCK_ROWS);
    float[] batch = new float[rows * WIDTH];
    for (int r = 0; r < rows; r++) {
      // some rows carry a value the packed walk refuses, so batches mix both walks
      System.arraycopy(row(rng, rng.nextInt(8) == 0 ? 1 : 0), 0, batch, r * WIDTH, WIDTH);
    }
    double[] out = new double[rows];
    model.predictBatch(batch, rows, out);
    for (int r = 0; r < rows; r++) {
      float[] x = java.util.Arrays.copyOfRange(batch, r * WIDTH, (r + 1) * WIDTH);
      assertThat(out[r]).isEqualTo(plainMean(forest, x));
      assertThat(model.predict(x)).isEqualTo(plainMean(forest, x));
      assertThat(model.spread(x)).isEqualTo(plainSpread(forest, x));
      assertThat(model.attribution(x, WIDTH)).isEqualTo(plainAttribution(forest, x));
    }
  }

  @Test
  void aForestNotInPreOrderIsWalkedThePlainWay() {
    // root 0 sends x[0] <= 0.5 to node 2 and the rest to node 1: its left child is not the next node
    FlatForest forest = new FlatForest(WIDTH, new int[] {0}, new int[] {0, -1, -1}, new float[] {0.5f, 0, 0},
        new int[] {2, -1, -1}, new int[] {1, -1, -1}, new double[] {0, 10, 20});
    assertThat(forest.defect()).isEmpty();
    assertThat(PackedForest.of(forest)).isEmpty();
    ForestModel model = model(forest);
    float[] x = new float[WIDTH];
    assertThat(model.predict(x)).isEqualTo(20);
    x[0] = 0.75f;
    assertThat(model.predict(x)).isEqualTo(10);
    double[] out = new double[2];
    float[] two = new float[2 * WIDTH];
    two[WIDTH] = 0.75f;
    model.predictBatch(two, 2, out);
    assertThat(out).containsExactly(20, 10);
  }

  private static ForestModel model(FlatForest forest) {
    List<String> names = new ArrayList<>();
    for (int j = 0; j < WIDTH; j++) {
      names.add("f" + j);
    }
    var contents = new ForestPayload.Contents(names, ForestHyperParameters.DEFAULTS, Map.of(), forest);
    return ForestModel.of(contents, new byte[0], Synthetic.SCHEMA, OutputKind.LOG_TOKENS_PER_SECOND);
  }

  /** A row of awkward and random values; with {@code rejected} > 0 one value has its sign bit set. */
  private static float[] row(SplittableRandom rng, int rejected) {
    float[] x = new float[WIDTH];
    for (int j = 0; j < WIDTH; j++) {
      x[j] = rng.nextBoolean() ? INPUTS[rng.nextInt(INPUTS.length)] : (float) rng.nextDouble();
    }
    for (int k = 0; k < rejected; k++) {
      x[rng.nextInt(WIDTH)] = REJECTED_INPUTS[rng.nextInt(REJECTED_INPUTS.length)];
    }
    return x;
  }

  private static FlatForest randomForest(SplittableRandom rng, int trees) {
    List<FlatForest.Tree> list = new ArrayList<>();
    for (int t = 0; t < trees; t++) {
      var b = new TreeBuilder(rng);
      b.grow(0, 1 + rng.nextInt(12));
      list.add(b.build());
    }
    FlatForest forest = FlatForest.concat(WIDTH, list);
    assertThat(forest.defect()).isEmpty();
    return forest;
  }

  /** Grows a random tree in pre-order, as the flattener lays trees out. */
  private static final class TreeBuilder {
    final SplittableRandom rng;
    final List<Integer> feature = new ArrayList<>();
    final List<Float> threshold = new ArrayList<>();
    final List<Integer> left = new ArrayList<>();
    final List<Integer> right = new ArrayList<>();
    final List<Double> value = new ArrayList<>();

    TreeBuilder(SplittableRandom rng) {
      this.rng = rng;
    }

    int grow(int depth, int maxDepth) {
      int n = feature.size();
      feature.add(-1);
      threshold.add(0f);
      left.add(-1);
      right.add(-1);
      value.add(rng.nextDouble(-5, 5));
      if (depth < maxDepth && rng.nextInt(5) != 0) {
        feature.set(n, rng.nextInt(WIDTH));
        threshold.set(n, rng.nextBoolean() ? THRESHOLDS[rng.nextInt(THRESHOLDS.length)] : (float) rng.nextDouble());
        left.set(n, grow(depth + 1, maxDepth));
        right.set(n, grow(depth + 1, maxDepth));
      }
      return n;
    }

    FlatForest.Tree build() {
      int size = feature.size();
      int[] f = new int[size];
      float[] th = new float[size];
      int[] l = new int[size];
      int[] r = new int[size];
      double[] v = new double[size];
      for (int i = 0; i < size; i++) {
        f[i] = feature.get(i);
        th[i] = threshold.get(i);
        l[i] = left.get(i);
        r[i] = right.get(i);
        v[i] = value.get(i);
      }
      return new FlatForest.Tree(f, th, l, r, v);
    }
  }

  private static double plainMean(FlatForest f, float[] x) {
    double sum = 0;
    for (int t = 0; t < f.treeCount(); t++) {
      sum += f.value[f.leaf(t, x, 0)];
    }
    return sum / f.treeCount();
  }

  private static OptionalDouble plainSpread(FlatForest f, float[] x) {
    double mean = 0;
    double m2 = 0;
    for (int t = 0; t < f.treeCount(); t++) {
      double v = f.value[f.leaf(t, x, 0)];
      double delta = v - mean;
      mean += delta / (t + 1);
      m2 += delta * (v - mean);
    }
    return OptionalDouble.of(Math.sqrt(Math.max(0, m2 / f.treeCount())));
  }

  private static List<FeatureImportance> plainAttribution(FlatForest f, float[] x) {
    double[] c = new double[WIDTH];
    for (int t = 0; t < f.treeCount(); t++) {
      int n = f.roots[t];
      while (f.feature[n] >= 0) {
        int child = x[f.feature[n]] <= f.threshold[n] ? f.left[n] : f.right[n];
        c[f.feature[n]] += f.value[child] - f.value[n];
        n = child;
      }
    }
    double total = 0;
    for (int j = 0; j < WIDTH; j++) {
      c[j] = Math.abs(c[j]);
      total += c[j];
    }
    if (!(total > 0)) {
      return List.of();
    }
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < WIDTH; j++) {
      if (c[j] > 0) {
        order.add(j);
      }
    }
    order.sort(java.util.Comparator.comparingDouble((Integer j) -> -c[j]).thenComparing(j -> j));
    List<FeatureImportance> out = new ArrayList<>();
    for (int j : order) {
      out.add(new FeatureImportance("f" + j, Math.min(1.0, c[j] / total)));
    }
    return out;
  }
}
