package dev.tuner.forest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes a grown tree monotone in chosen features by moving leaf values, never its splits.
 *
 * <p>Smile 2.6.0 grows trees without monotone constraints, so the constraint is written into tuner's own tree
 * arrays afterwards. A tree is monotone in feature {@code j} exactly when, for every pair of leaves that two inputs
 * differing in {@code j} alone can reach, the leaf reached with the smaller {@code j} has the smaller value (+1; the
 * greater for -1). Two such inputs part at a split on {@code j}, one to each side, and both lie in each leaf's box
 * (the value ranges its path allows) on every other feature; so the pairs to order are, at every split on a
 * constrained feature, the leaves of the low side and of the high side whose boxes overlap on all features but the
 * split's. Leaves whose boxes are disjoint elsewhere (one reached only by CUDA rows, the other only by Metal rows)
 * are never compared: a device's level is not flattened to make another device's context curve monotone.
 *
 * <p>The values are then moved towards the least-squares projection onto those orders, each leaf weighted by the
 * training rows it holds (a leaf of 50 batch-1 rows barely moves for a leaf of 2 batched rows): sweeps that set every
 * violated pair to its weighted mean (successive projections onto each pair's half-space) until no pair is off by
 * more than {@link #TOLERANCE}. To be exact, not nearly so, the result is finished by {@code up}, each leaf raised to
 * the greatest value of any leaf it must not be below (directly or through a chain), and {@code down}, each leaf
 * lowered to the least value of any leaf it must not be above: both respect every order, so their mean does too, and
 * after the sweeps they move a leaf by at most the tolerance. A leaf no order touches keeps its value.
 */
final class MonotoneProjection {
  /** Far below any difference a prediction shows (the values are logs of tokens/s ratios). */
  static final double TOLERANCE = 1e-9;
  private static final int MAX_SWEEPS = 10_000;
  private final FlatForest.Tree tree;
  private final int[] direction;
  private final double[] weight;
  /** Leaf nodes in pre-order; a subtree's leaves are a contiguous run of it. */
  private final List<Integer> leaves = new ArrayList<>();
  /** Each leaf's box: {@code (lo, hi]} per feature, as the walk sends {@code x <= threshold} left. */
  private final List<double[]> lo = new ArrayList<>();
  private final List<double[]> hi = new ArrayList<>();
  private final int[] firstLeaf;
  private final int[] endLeaf;

  private MonotoneProjection(FlatForest.Tree tree, int[] direction, double[] weight) {
    this.tree = tree;
    this.direction = direction;
    this.weight = weight;
    this.firstLeaf = new int[tree.feature().length];
    this.endLeaf = new int[tree.feature().length];
  }

  /**
   * {@code tree} with its values moved so that it is monotone in every feature {@code j} with {@code direction[j]}
   * non-zero (+1 non-decreasing, -1 non-increasing); the tree itself is not changed. {@code weight[n]} is the
   * training weight of leaf {@code n} (its in-bag rows, see {@link #leafWeights}); a leaf of weight 0 counts as 1.
   */
  static FlatForest.Tree project(FlatForest.Tree tree, int[] direction, double[] weight) {
    boolean any = false;
    for (int d : direction) {
      any |= d != 0;
    }
    if (!any) {
      return tree;
    }
    MonotoneProjection p = new MonotoneProjection(tree, direction, weight);
    double[] low = new double[direction.length];
    double[] high = new double[direction.length];
    Arrays.fill(low, Double.NEGATIVE_INFINITY);
    Arrays.fill(high, Double.POSITIVE_INFINITY);
    p.boxes(0, low, high);
    return new FlatForest.Tree(tree.feature(), tree.threshold(), tree.left(), tree.right(), p.ordered());
  }

  private void boxes(int n, double[] low, double[] high) {
    firstLeaf[n] = leaves.size();
    int f = tree.feature()[n];
    if (f < 0) {
      leaves.add(n);
      lo.add(low.clone());
      hi.add(high.clone());
    } else {
      double t = tree.threshold()[n];
      double keep = high[f];
      high[f] = Math.min(keep, t);
      boxes(tree.left()[n], low, high);
      high[f] = keep;
      keep = low[f];
      low[f] = Math.max(keep, t);
      boxes(tree.right()[n], low, high);
      low[f] = keep;
    }
    endLeaf[n] = leaves.size();
  }

  /** The leaf values after ordering; inner nodes keep theirs. */
  private double[] ordered() {
    // edges[k] = {lesser leaf, greater leaf}, as indices into leaves
    List<int[]> edges = new ArrayList<>();
    int[] feature = tree.feature();
    for (int n = 0; n < feature.length; n++) {
      int j = feature[n];
      if (j < 0 || direction[j] == 0) {
        continue;
      }
      int l = tree.left()[n];
      int r = tree.right()[n];
      for (int a = firstLeaf[l]; a < endLeaf[l]; a++) {
        for (int b = firstLeaf[r]; b < endLeaf[r]; b++) {
          if (overlapExcept(a, b, j)) {
            edges.add(direction[j] > 0 ? new int[] {a, b} : new int[] {b, a});
          }
        }
      }
    }
    double[] value = tree.value().clone();
    if (edges.isEmpty()) {
      return value;
    }
    int count = leaves.size();
    double[] v = new double[count];
    double[] w = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = value[leaves.get(i)];
      w[i] = Math.max(1, weight[leaves.get(i)]);
    }
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double worst = 0;
      for (int[] e : edges) {
        double gap = v[e[0]] - v[e[1]];
        if (gap > 0) {
          worst = Math.max(worst, gap);
          double mean = (w[e[0]] * v[e[0]] + w[e[1]] * v[e[1]]) / (w[e[0]] + w[e[1]]);
          v[e[0]] = mean;
          v[e[1]] = mean;
        }
      }
      if (worst <= TOLERANCE) {
        break;
      }
    }
    double[] up = v.clone();
    double[] down = v.clone();
    // a chain of orders is at most as long as the leaves are many, so the relaxation settles within that many sweeps
    for (int sweep = 0; ; sweep++) {
      boolean changed = false;
      for (int[] e : edges) {
        if (up[e[0]] > up[e[1]]) {
          up[e[1]] = up[e[0]];
          changed = true;
        }
        if (down[e[1]] < down[e[0]]) {
          down[e[0]] = down[e[1]];
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
      if (sweep > count) {
        throw new IllegalStateException("monotone orders of a tree with " + count + " leaves did not settle");
      }
    }
    for (int i = 0; i < count; i++) {
      value[leaves.get(i)] = (up[i] + down[i]) / 2;
    }
    return value;
  }

  /**
   * The weight of every node of {@code tree}: how many times the bootstrap ({@code samples[i]} draws of row {@code i}
   * of the row-major {@code x}, {@code width} features a row) put a row into it.
   */
  static double[] leafWeights(FlatForest.Tree tree, float[] x, int width, int[]... samples) {
    double[] out = new double[tree.feature().length];
    for (int[] draw : samples) {
      for (int i = 0; i < draw.length; i++) {
        if (draw[i] == 0) {
          continue;
        }
        out[tree.leaf(x, i * width)] += draw[i];
      }
    }
    return out;
  }

  /** Whether the boxes of leaves {@code a} and {@code b} overlap on every feature but {@code j}. */
  private boolean overlapExcept(int a, int b, int j) {
    double[] loA = lo.get(a);
    double[] hiA = hi.get(a);
    double[] loB = lo.get(b);
    double[] hiB = hi.get(b);
    for (int f = 0; f < loA.length; f++) {
      if (f != j && Math.max(loA[f], loB[f]) >= Math.min(hiA[f], hiB[f])) {
        return false;
      }
    }
    return true;
  }
}
