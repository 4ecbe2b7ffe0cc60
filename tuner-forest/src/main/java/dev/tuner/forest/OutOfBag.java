package dev.tuner.forest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Out-of-bag estimates: each tree is judged only on the rows its bootstrap left out. Every sum runs in a fixed
 * order, so the results do not depend on how many threads computed them.
 */
final class OutOfBag {
  /** Permutation importance looks at this many rows at most, so its cost stays bounded on large sets. */
  static final int MAX_PERMUTATION_ROWS = 2000;

  private final FlatForest forest;
  private final List<BitSet> inBag;
  private final float[] x;
  private final double[] y;
  private final int width;

  /**
   * @param inBag for each tree, the rows its bootstrap drew
   * @param x row-major training features
   */
  OutOfBag(FlatForest forest, List<BitSet> inBag, float[] x, double[] y) {
    this.forest = forest;
    this.inBag = inBag;
    this.x = x;
    this.y = y;
    this.width = forest.featureCount;
  }

  /** Error of the out-of-bag prediction over the rows that at least one tree left out. */
  record Metrics(int rows, double rmse, double r2) {}

  Optional<Metrics> metrics() {
    int n = y.length;
    double[] sum = new double[n];
    int[] count = new int[n];
    for (int t = 0; t < forest.treeCount(); t++) {
      BitSet bag = inBag.get(t);
      for (int i = bag.nextClearBit(0); i < n; i = bag.nextClearBit(i + 1)) {
        sum[i] += forest.value[forest.leaf(t, x, i * width)];
        count[i]++;
      }
    }
    int rows = 0;
    double meanY = 0;
    for (int i = 0; i < n; i++) {
      if (count[i] > 0) {
        rows++;
        meanY += y[i];
      }
    }
    if (rows < 2) {
      return Optional.empty();
    }
    meanY /= rows;
    double sse = 0;
    double sst = 0;
    for (int i = 0; i < n; i++) {
      if (count[i] > 0) {
        double e = y[i] - sum[i] / count[i];
        sse += e * e;
        sst += (y[i] - meanY) * (y[i] - meanY);
      }
    }
    return Optional.of(new Metrics(rows, Math.sqrt(sse / rows), sst > 0 ? 1 - sse / sst : 0));
  }

  /**
   * One task per feature computing Breiman's permutation importance on out-of-bag rows: for each tree, the
   * increase of its mean squared error on its out-of-bag rows when the feature's values are shuffled among those
   * rows, averaged over the trees. At most {@link #MAX_PERMUTATION_ROWS} rows, drawn with {@code seed}, take part.
   */
  List<Callable<Double>> permutationTasks(long seed) {
    int[] rows = chosenRows(seed);
    int trees = forest.treeCount();
    int[][] oob = new int[trees][];
    double[] baseline = new double[trees];
    for (int t = 0; t < trees; t++) {
      BitSet bag = inBag.get(t);
      oob[t] = Arrays.stream(rows).filter(i -> !bag.get(i)).toArray();
      for (int i : oob[t]) {
        double e = y[i] - forest.value[forest.leaf(t, x, i * width)];
        baseline[t] += e * e;
      }
    }
    List<Callable<Double>> tasks = new ArrayList<>(width);
    for (int j = 0; j < width; j++) {
      int feature = j;
      tasks.add(() -> permutationImportance(feature, oob, baseline, seed));
    }
    return tasks;
  }

  private double permutationImportance(int j, int[][] oob, double[] baseline, long seed) {
    double total = 0;
    int used = 0;
    for (int t = 0; t < oob.length; t++) {
      int[] rows = oob[t];
      if (rows.length < 2) {
        continue;
      }
      int[] donor = rows.clone();
      shuffle(donor, new SplittableRandom(mix(seed, t, j)));
      double sse = 0;
      for (int k = 0; k < rows.length; k++) {
        int i = rows[k];
        double e = y[i] - forest.value[forest.leaf(t, x, i * width, j, x[donor[k] * width + j])];
        sse += e * e;
      }
      total += (sse - baseline[t]) / rows.length;
      used++;
    }
    return used == 0 ? 0 : total / used;
  }

  private int[] chosenRows(long seed) {
    int n = y.length;
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    if (n <= MAX_PERMUTATION_ROWS) {
      return all;
    }
    var rng = new SplittableRandom(mix(seed, -1, -1));
    for (int k = 0; k < MAX_PERMUTATION_ROWS; k++) {
      int pick = k + rng.nextInt(n - k);
      int tmp = all[k];
      all[k] = all[pick];
      all[pick] = tmp;
    }
    int[] chosen = Arrays.copyOf(all, MAX_PERMUTATION_ROWS);
    Arrays.sort(chosen);
    return chosen;
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int k = a.length - 1; k > 0; k--) {
      int pick = rng.nextInt(k + 1);
      int tmp = a[k];
      a[k] = a[pick];
      a[pick] = tmp;
    }
  }

  /** An independent stream per (tree, feature), so the shuffles do not depend on which thread runs first. */
  private static long mix(long seed, int tree, int feature) {
    long z = seed + 0x9E3779B97F4A7C15L * (((long) tree << 32) ^ (feature & 0xffffffffL) ^ 0x5DEECE66DL);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
