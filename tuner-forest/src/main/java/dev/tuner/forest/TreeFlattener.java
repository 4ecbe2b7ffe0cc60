package dev.tuner.forest;

import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.OrdinalNode;
import smile.base.cart.RegressionNode;
import smile.data.Tuple;
import smile.data.type.StructType;
import smile.regression.RegressionTree;

/** Turns one Smile regression tree into pre-order arrays. */
final class TreeFlattener {
  private final StructType schema;
  private final int width;
  private int[] feature;
  private float[] threshold;
  private int[] left;
  private int[] right;
  private double[] value;
  private int next;

  private TreeFlattener(StructType schema, int width) {
    this.schema = schema;
    this.width = width;
  }

  /**
   * Flattens {@code tree}, then replaces each internal node's value by the mean target of the in-bag rows that
   * reach it, counting each row as often as the bootstrap drew it (which is how Smile computes leaf means too).
   *
   * @param x row-major training features the tree was grown on
   * @param samples how many times the tree's bootstrap drew each row
   */
  static FlatForest.Tree flatten(
      RegressionTree tree, StructType schema, float[] x, double[] y, int[] samples) {
    TreeFlattener f = new TreeFlattener(schema, schema.length());
    int size = tree.size();
    f.feature = new int[size];
    f.threshold = new float[size];
    f.left = new int[size];
    f.right = new int[size];
    f.value = new double[size];
    f.visit(tree.root());
    f.fillInternalMeans(x, y, samples);
    return new FlatForest.Tree(f.feature, f.threshold, f.left, f.right, f.value);
  }

  private int visit(Node node) {
    int n = next++;
    if (node instanceof InternalNode) {
      InternalNode split = (InternalNode) node;
      if (!(split instanceof OrdinalNode)) {
        // Every column is a double, so Smile never makes a nominal split here.
        throw new IllegalStateException("unexpected split node " + split.getClass().getName());
      }
      feature[n] = split.feature();
      threshold[n] = floatThreshold((OrdinalNode) split, schema, width);
      left[n] = visit(split.trueChild());
      right[n] = visit(split.falseChild());
    } else {
      feature[n] = -1;
      left[n] = -1;
      right[n] = -1;
      value[n] = ((RegressionNode) node).output();
    }
    return n;
  }

  private void fillInternalMeans(float[] x, double[] y, int[] samples) {
    int nodes = feature.length;
    double[] sum = new double[nodes];
    long[] count = new long[nodes];
    for (int i = 0; i < samples.length; i++) {
      int k = samples[i];
      if (k == 0) {
        continue;
      }
      int offset = i * width;
      int n = 0;
      while (feature[n] >= 0) {
        sum[n] += k * y[i];
        count[n] += k;
        n = x[offset + feature[n]] <= threshold[n] ? left[n] : right[n];
      }
    }
    for (int n = 0; n < nodes; n++) {
      if (feature[n] >= 0) {
        value[n] = sum[n] / count[n];
      }
    }
  }

  /**
   * The largest float that Smile's split sends to the true (left) child. Smile compares doubles ({@code x <=
   * value}) while we compare floats; since {@code x <= value} is monotone in {@code x}, a float {@code x} goes
   * left exactly when {@code x <=} this float, so flattened predictions equal Smile's for every float input. The
   * split value itself is package-private in Smile 2.6.0, so it is found by bisecting over the ordered floats with
   * Smile's own {@link OrdinalNode#branch}.
   */
  static float floatThreshold(OrdinalNode split, StructType schema, int width) {
    double[] probe = new double[width];
    long lo = orderedBits(-Float.MAX_VALUE);
    long hi = orderedBits(Float.MAX_VALUE);
    if (!goesLeft(split, schema, probe, lo)) {
      throw new IllegalStateException("split on feature " + split.feature() + " sends every float right");
    }
    if (goesLeft(split, schema, probe, hi)) {
      return Float.MAX_VALUE;
    }
    // Invariant: lo goes left, hi goes right.
    while (hi - lo > 1) {
      long mid = (lo + hi) / 2;
      if (goesLeft(split, schema, probe, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return fromOrderedBits((int) lo);
  }

  private static boolean goesLeft(OrdinalNode split, StructType schema, double[] probe, long ordered) {
    probe[split.feature()] = fromOrderedBits((int) ordered);
    return split.branch(Tuple.of(probe, schema));
  }

  /** Maps non-NaN floats to ints in the same order, so bisection over ints walks the floats in order. */
  static int orderedBits(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  static float fromOrderedBits(int ordered) {
    return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7fffffff));
  }
}
