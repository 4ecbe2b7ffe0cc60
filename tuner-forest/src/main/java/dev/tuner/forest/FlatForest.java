package dev.tuner.forest;

import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The trees of a forest as parallel arrays, in the layout of {@link dev.tuner.api.PortableModel.TreeEnsemble}: tree
 * {@code t} occupies nodes {@code [roots[t], roots[t+1])} in pre-order, a leaf has {@code feature == -1} and
 * children {@code -1}, and the walk goes left when {@code x[feature] <= threshold}. {@code value} holds a leaf's
 * prediction and, for an internal node, the mean training target of the rows that reached it. The arrays are
 * never handed out of this package, so instances are immutable in practice.
 */
final class FlatForest {
  static final int MAX_TREES = 10_000;
  static final int MAX_NODES = 50_000_000;

  final int featureCount;
  final int[] roots;
  final int[] feature;
  final float[] threshold;
  final int[] left;
  final int[] right;
  final double[] value;

  FlatForest(int featureCount, int[] roots, int[] feature, float[] threshold, int[] left, int[] right, double[] value) {
    this.featureCount = featureCount;
    this.roots = roots;
    this.feature = feature;
    this.threshold = threshold;
    this.left = left;
    this.right = right;
    this.value = value;
  }

  /** One tree as arrays whose child indices count from the tree's own root. */
  record Tree(int[] feature, float[] threshold, int[] left, int[] right, double[] value) {
    /** The leaf the row {@code x[offset, offset + features)} reaches. */
    int leaf(float[] x, int offset) {
      int n = 0;
      while (feature[n] >= 0) {
        n = x[offset + feature[n]] <= threshold[n] ? left[n] : right[n];
      }
      return n;
    }
  }

  /**
   * One tree whose root sends {@code x[feature] <= threshold} to {@code low} and the rest to {@code high}, both laid
   * out after it in pre-order; the root's value is {@code value}.
   */
  static Tree join(int feature, float threshold, double value, Tree low, Tree high) {
    int nl = low.feature().length;
    int size = 1 + nl + high.feature().length;
    Tree t = new Tree(new int[size], new float[size], new int[size], new int[size], new double[size]);
    t.feature()[0] = feature;
    t.threshold()[0] = threshold;
    t.left()[0] = 1;
    t.right()[0] = 1 + nl;
    t.value()[0] = value;
    place(low, t, 1);
    place(high, t, 1 + nl);
    return t;
  }

  private static void place(Tree from, Tree to, int at) {
    int n = from.feature().length;
    System.arraycopy(from.feature(), 0, to.feature(), at, n);
    System.arraycopy(from.threshold(), 0, to.threshold(), at, n);
    System.arraycopy(from.value(), 0, to.value(), at, n);
    for (int i = 0; i < n; i++) {
      to.left()[at + i] = from.left()[i] < 0 ? -1 : at + from.left()[i];
      to.right()[at + i] = from.right()[i] < 0 ? -1 : at + from.right()[i];
    }
  }

  /** Lays the trees out one after another, in the given order; their total size must fit in an int. */
  static FlatForest concat(int featureCount, List<Tree> trees) {
    long total = 0;
    for (Tree t : trees) {
      total += t.feature().length;
    }
    int nodes = Math.toIntExact(total);
    int[] roots = new int[trees.size()];
    int[] feature = new int[nodes];
    float[] threshold = new float[nodes];
    int[] left = new int[nodes];
    int[] right = new int[nodes];
    double[] value = new double[nodes];
    int base = 0;
    for (int t = 0; t < trees.size(); t++) {
      Tree tree = trees.get(t);
      int size = tree.feature().length;
      roots[t] = base;
      System.arraycopy(tree.feature(), 0, feature, base, size);
      System.arraycopy(tree.threshold(), 0, threshold, base, size);
      System.arraycopy(tree.value(), 0, value, base, size);
      for (int i = 0; i < size; i++) {
        left[base + i] = tree.left()[i] < 0 ? -1 : base + tree.left()[i];
        right[base + i] = tree.right()[i] < 0 ? -1 : base + tree.right()[i];
      }
      base += size;
    }
    return new FlatForest(featureCount, roots, feature, threshold, left, right, value);
  }

  int treeCount() {
    return roots.length;
  }

  int nodeCount() {
    return feature.length;
  }

  /** The leaf of tree {@code t} reached by the row starting at {@code x[offset]}. */
  int leaf(int t, float[] x, int offset) {
    int n = roots[t];
    while (feature[n] >= 0) {
      n = x[offset + feature[n]] <= threshold[n] ? left[n] : right[n];
    }
    return n;
  }

  /** Like {@link #leaf} but reads {@code replacement} in place of feature {@code swapped}. */
  int leaf(int t, float[] x, int offset, int swapped, float replacement) {
    int n = roots[t];
    while (feature[n] >= 0) {
      int f = feature[n];
      float v = f == swapped ? replacement : x[offset + f];
      n = v <= threshold[n] ? left[n] : right[n];
    }
    return n;
  }

  /**
   * Describes the first structural problem, if any: what a loader must refuse before walking the trees. Checks
   * that the roots start at 0 and increase, that every internal node names a feature in range and a finite
   * threshold, that both its children are later nodes of the same tree, that every non-root node has exactly one
   * parent, that leaves have no children, and that every value is finite.
   */
  Optional<String> defect() {
    int nodes = feature.length;
    if (threshold.length != nodes || left.length != nodes || right.length != nodes || value.length != nodes) {
      return Optional.of("node arrays differ in length");
    }
    if (roots.length == 0 || roots.length > MAX_TREES) {
      return Optional.of("tree count " + roots.length + " is outside [1, " + MAX_TREES + "]");
    }
    if (roots[0] != 0) {
      return Optional.of("the first tree starts at node " + roots[0] + ", not 0");
    }
    BitSet hasParent = new BitSet(nodes);
    for (int t = 0; t < roots.length; t++) {
      int start = roots[t];
      int end = t + 1 < roots.length ? roots[t + 1] : nodes;
      if (end <= start || end > nodes) {
        return Optional.of("tree " + t + " spans nodes [" + start + ", " + end + "), which is empty or past the "
            + nodes + " nodes");
      }
      for (int n = start; n < end; n++) {
        Optional<String> problem = nodeDefect(n, end, hasParent);
        if (problem.isPresent()) {
          return problem;
        }
      }
      for (int n = start + 1; n < end; n++) {
        if (!hasParent.get(n)) {
          return Optional.of("node " + n + " of tree " + t + " is not reachable from its root");
        }
      }
    }
    return Optional.empty();
  }

  private Optional<String> nodeDefect(int n, int end, BitSet hasParent) {
    if (!Double.isFinite(value[n])) {
      return Optional.of("node " + n + " has value " + value[n] + ", expected a finite number");
    }
    if (feature[n] == -1) {
      if (left[n] != -1 || right[n] != -1) {
        return Optional.of("leaf " + n + " has children " + left[n] + " and " + right[n] + ", expected -1");
      }
      return Optional.empty();
    }
    if (feature[n] < 0 || feature[n] >= featureCount) {
      return Optional.of("node " + n + " splits on feature " + feature[n] + ", expected -1 (leaf) or [0, "
          + (featureCount - 1) + "]");
    }
    if (!Float.isFinite(threshold[n])) {
      return Optional.of("node " + n + " has threshold " + threshold[n] + ", expected a finite number");
    }
    Optional<String> problem = childDefect(n, left[n], end, hasParent);
    return problem.isPresent() ? problem : childDefect(n, right[n], end, hasParent);
  }

  private static Optional<String> childDefect(int n, int child, int end, BitSet hasParent) {
    if (child <= n || child >= end) {
      return Optional.of("node " + n + " has child " + child + ", expected a later node of the same tree, in ["
          + (n + 1) + ", " + (end - 1) + "]");
    }
    if (hasParent.get(child)) {
      return Optional.of("node " + child + " has two parents");
    }
    hasParent.set(child);
    return Optional.empty();
  }
}
