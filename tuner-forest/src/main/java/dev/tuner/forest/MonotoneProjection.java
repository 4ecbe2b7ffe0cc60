package dev.tuner.forest;

/**
 * Makes a grown tree monotone in chosen features by moving leaf values, never its splits.
 *
 * <p>Smile 2.6.0 grows trees without monotone constraints, so the constraint is written into tuner's own tree
 * arrays afterwards. Bottom-up, at every split on a constrained feature with direction +1 the left subtree's values
 * must not exceed the right subtree's (the reverse for -1). Where they do, both subtrees are clipped at one level
 * {@code m}: left values above {@code m} come down to it, right values below it go up to it, with {@code m} the
 * split node's own mean training target pulled into the overlapping range, so the rows on each side move as little
 * as that split allows. Clipping is a non-decreasing map of a whole subtree, so every order the subtree already
 * respected (its own constrained splits, in either direction) still holds; after the pass every leaf reachable on
 * the low side of a constrained split is at most every leaf on its high side, which makes the tree, and so any
 * average of such trees, monotone in that feature for every value of the other features. The condition is
 * sufficient, not necessary (it compares leaves whose regions need not overlap), so it can move more than the
 * least-squares projection would; the accuracy it costs is measured in docs/EVALUATION.md.
 */
final class MonotoneProjection {
  private final int[] direction;
  private final int[] feature;
  private final int[] left;
  private final int[] right;
  private final double[] value;
  private final int[] end;

  private MonotoneProjection(FlatForest.Tree tree, int[] direction) {
    this.direction = direction;
    this.feature = tree.feature();
    this.left = tree.left();
    this.right = tree.right();
    this.value = tree.value().clone();
    this.end = new int[feature.length];
  }

  /**
   * {@code tree} with its values moved so that it is monotone in every feature {@code j} with {@code direction[j]}
   * non-zero (+1 non-decreasing, -1 non-increasing); the tree itself is not changed.
   */
  static FlatForest.Tree project(FlatForest.Tree tree, int[] direction) {
    boolean any = false;
    for (int d : direction) {
      any |= d != 0;
    }
    if (!any) {
      return tree;
    }
    MonotoneProjection p = new MonotoneProjection(tree, direction);
    p.subtreeEnds(0);
    p.visit(0);
    return new FlatForest.Tree(tree.feature(), tree.threshold(), tree.left(), tree.right(), p.value);
  }

  /** Fills {@code end[n]}: the subtree of node {@code n} is the pre-order range {@code [n, end[n])}. */
  private int subtreeEnds(int n) {
    if (feature[n] < 0) {
      end[n] = n + 1;
    } else {
      subtreeEnds(left[n]);
      end[n] = subtreeEnds(right[n]);
    }
    return end[n];
  }

  /** Projects the subtree of {@code n}; returns the least and the greatest leaf value in it afterwards. */
  private double[] visit(int n) {
    if (feature[n] < 0) {
      return new double[] {value[n], value[n]};
    }
    double[] low = visit(left[n]);
    double[] high = visit(right[n]);
    int d = direction[feature[n]];
    // with d = -1 the low side must be the greater one: the same rule with the sides' roles swapped
    double[] lesser = d >= 0 ? low : high;
    double[] greater = d >= 0 ? high : low;
    if (d != 0 && lesser[1] > greater[0]) {
      double m = Math.max(greater[0], Math.min(lesser[1], value[n]));
      int lesserRoot = d > 0 ? left[n] : right[n];
      int greaterRoot = d > 0 ? right[n] : left[n];
      for (int i = lesserRoot; i < end[lesserRoot]; i++) {
        value[i] = Math.min(value[i], m);
      }
      for (int i = greaterRoot; i < end[greaterRoot]; i++) {
        value[i] = Math.max(value[i], m);
      }
      lesser[0] = Math.min(lesser[0], m);
      lesser[1] = Math.min(lesser[1], m);
      greater[0] = Math.max(greater[0], m);
      greater[1] = Math.max(greater[1], m);
    }
    return new double[] {Math.min(low[0], high[0]), Math.max(low[1], high[1])};
  }
}
