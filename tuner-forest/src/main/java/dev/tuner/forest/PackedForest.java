package dev.tuner.forest;

import java.util.Optional;

/**
 * The inference copy of a {@link FlatForest}: one {@code long} per node, walked along eight paths at once without
 * a data-dependent branch. It reaches exactly the leaves {@link FlatForest#leaf} reaches, for every row it
 * {@linkplain #accepts accepts}.
 *
 * <p>Why: the plain walk loads four arrays per level and mispredicts about every other branch, so a 200-tree forest
 * spends most of its time waiting. Here a level is one load of the node, one load of the feature and integer
 * arithmetic, and eight independent walks keep the core busy while each waits for its loads.
 *
 * <p>Node layout: bits 63–32 are the threshold as float bits, bits 31–12 the distance to the right child, bits 11–0
 * the feature. The left child is always the next node (trees are stored in pre-order, which {@link #of} checks). A
 * leaf has threshold bits −1 and distance 0, so every step from a leaf returns to it: a walk of as many steps as
 * the tree is deep ends on the leaf whatever the path, so the loops run a fixed count (the deepest of the trees
 * walked together) with no test of whether every walk has arrived.
 *
 * <p>The comparison {@code x <= threshold} is done on raw float bits. For a value whose sign bit is clear (+0, a
 * positive number, +∞ or a NaN with a clear sign) the bits grow with the value, so for a threshold {@code t ≥ 0}
 * (stored as the bits of {@code t}, with −0 stored as +0) {@code x <= t} exactly when {@code bits(x) <= bits(t)},
 * and a NaN compares above every finite threshold and goes right, as {@code <=} sends it. A negative threshold sends
 * every such value right, which the stored −1 does. Rows with a sign bit set anywhere are not {@linkplain #accepts
 * accepted} and take the plain walk; the encoder never produces them.
 */
final class PackedForest {
  /** Rows walked together per tree in a batch: enough for their loads to overlap, few enough to stay in cache. */
  static final int BLOCK_ROWS = 128;

  private static final int FEATURE_BITS = 12;
  private static final int FEATURE_MASK = (1 << FEATURE_BITS) - 1;
  private static final int MAX_DISTANCE = (1 << (32 - FEATURE_BITS)) - 1;
  private static final long LEAF = -1L << 32;

  private final long[] node;
  private final double[] value;
  private final int[] roots;
  /** Depth of each tree: the steps from its root to its deepest leaf. */
  private final int[] depth;
  /** Per group of eight consecutive trees, the deepest of them. */
  private final int[] groupDepth;

  private PackedForest(long[] node, double[] value, int[] roots, int[] depth) {
    this.node = node;
    this.value = value;
    this.roots = roots;
    this.depth = depth;
    this.groupDepth = new int[(roots.length + 7) / 8];
    for (int t = 0; t < roots.length; t++) {
      groupDepth[t / 8] = Math.max(groupDepth[t / 8], depth[t]);
    }
  }

  /**
   * The packed form of a validated forest, or empty when it does not fit the layout: more than 4 096 features, a
   * left child that is not the next node, or a right child more than about a million nodes away.
   */
  static Optional<PackedForest> of(FlatForest f) {
    if (f.featureCount > FEATURE_MASK + 1) {
      return Optional.empty();
    }
    long[] node = new long[f.nodeCount()];
    for (int n = 0; n < node.length; n++) {
      if (f.feature[n] < 0) {
        node[n] = LEAF;
        continue;
      }
      int distance = f.right[n] - n;
      if (f.left[n] != n + 1 || distance < 2 || distance > MAX_DISTANCE) {
        return Optional.empty();
      }
      float t = f.threshold[n];
      int bits = t < 0 ? -1 : Float.floatToRawIntBits(t == 0 ? 0f : t);
      node[n] = ((long) bits << 32) | ((long) distance << FEATURE_BITS) | f.feature[n];
    }
    return Optional.of(new PackedForest(node, f.value, f.roots, depths(f)));
  }

  /** In pre-order every child comes after its parent, so one forward pass gives each node its depth. */
  private static int[] depths(FlatForest f) {
    int[] nodeDepth = new int[f.nodeCount()];
    int[] out = new int[f.roots.length];
    for (int t = 0; t < f.roots.length; t++) {
      int end = t + 1 < f.roots.length ? f.roots[t + 1] : f.nodeCount();
      for (int n = f.roots[t]; n < end; n++) {
        if (f.feature[n] >= 0) {
          nodeDepth[f.left[n]] = nodeDepth[n] + 1;
          nodeDepth[f.right[n]] = nodeDepth[n] + 1;
        }
        out[t] = Math.max(out[t], nodeDepth[n]);
      }
    }
    return out;
  }

  /** Whether no value of the row starting at {@code x[offset]} has its sign bit set. */
  static boolean accepts(float[] x, int offset, int width) {
    int bits = 0;
    for (int i = offset; i < offset + width; i++) {
      bits |= Float.floatToRawIntBits(x[i]);
    }
    return bits >= 0;
  }

  /** The next node of a walk: the left child, the right child, or the leaf itself. */
  private static int step(long[] node, float[] x, int offset, int n) {
    long v = node[n];
    int low = (int) v;
    int right = ((int) (v >>> 32) - Float.floatToRawIntBits(x[offset + (low & FEATURE_MASK)])) >> 31;
    return n + 1 + (((low >>> FEATURE_BITS) - 1) & right);
  }

  private static int leaf(long[] node, float[] x, int offset, int n, int steps) {
    for (int s = 0; s < steps; s++) {
      n = step(node, x, offset, n);
    }
    return n;
  }

  /** Writes the leaf every tree reaches for one accepted row, in tree order. */
  void leaves(float[] x, int offset, int[] out) {
    long[] node = this.node;
    int trees = roots.length;
    int t = 0;
    for (; t + 8 <= trees; t += 8) {
      int n0 = roots[t];
      int n1 = roots[t + 1];
      int n2 = roots[t + 2];
      int n3 = roots[t + 3];
      int n4 = roots[t + 4];
      int n5 = roots[t + 5];
      int n6 = roots[t + 6];
      int n7 = roots[t + 7];
      for (int s = groupDepth[t / 8]; s > 0; s--) {
        int m0 = step(node, x, offset, n0);
        int m1 = step(node, x, offset, n1);
        int m2 = step(node, x, offset, n2);
        int m3 = step(node, x, offset, n3);
        int m4 = step(node, x, offset, n4);
        int m5 = step(node, x, offset, n5);
        int m6 = step(node, x, offset, n6);
        int m7 = step(node, x, offset, n7);
        n0 = m0;
        n1 = m1;
        n2 = m2;
        n3 = m3;
        n4 = m4;
        n5 = m5;
        n6 = m6;
        n7 = m7;
      }
      out[t] = n0;
      out[t + 1] = n1;
      out[t + 2] = n2;
      out[t + 3] = n3;
      out[t + 4] = n4;
      out[t + 5] = n5;
      out[t + 6] = n6;
      out[t + 7] = n7;
    }
    for (; t < trees; t++) {
      out[t] = leaf(node, x, offset, roots[t], depth[t]);
    }
  }

  /**
   * For one accepted row, adds to {@code contribution[f]} the change of node value at every split on feature
   * {@code f} along each tree's path, tree after tree and root to leaf: the additions of the plain walk, in its
   * order.
   */
  void addPathContributions(float[] x, int offset, double[] contribution) {
    long[] node = this.node;
    double[] value = this.value;
    for (int root : roots) {
      int n = root;
      while (true) {
        int next = step(node, x, offset, n);
        if (next == n) {
          break;
        }
        contribution[(int) node[n] & FEATURE_MASK] += value[next] - value[n];
        n = next;
      }
    }
  }

  /**
   * The mean leaf value of one accepted row: summed in tree order and divided by the tree count, the arithmetic of
   * the plain walk, so the result is the same double.
   */
  double mean(float[] x, int offset) {
    long[] node = this.node;
    double[] value = this.value;
    int trees = roots.length;
    double sum = 0;
    int t = 0;
    for (; t + 8 <= trees; t += 8) {
      int n0 = roots[t];
      int n1 = roots[t + 1];
      int n2 = roots[t + 2];
      int n3 = roots[t + 3];
      int n4 = roots[t + 4];
      int n5 = roots[t + 5];
      int n6 = roots[t + 6];
      int n7 = roots[t + 7];
      for (int s = groupDepth[t / 8]; s > 0; s--) {
        int m0 = step(node, x, offset, n0);
        int m1 = step(node, x, offset, n1);
        int m2 = step(node, x, offset, n2);
        int m3 = step(node, x, offset, n3);
        int m4 = step(node, x, offset, n4);
        int m5 = step(node, x, offset, n5);
        int m6 = step(node, x, offset, n6);
        int m7 = step(node, x, offset, n7);
        n0 = m0;
        n1 = m1;
        n2 = m2;
        n3 = m3;
        n4 = m4;
        n5 = m5;
        n6 = m6;
        n7 = m7;
      }
      sum += value[n0];
      sum += value[n1];
      sum += value[n2];
      sum += value[n3];
      sum += value[n4];
      sum += value[n5];
      sum += value[n6];
      sum += value[n7];
    }
    for (; t < trees; t++) {
      sum += value[leaf(node, x, offset, roots[t], depth[t])];
    }
    return sum / trees;
  }

  /**
   * The means of accepted rows {@code [from, to)} of the row-major {@code x} into {@code out[from, to)}, at most
   * {@link #BLOCK_ROWS} rows. Tree by tree, so one tree's nodes stay in the L1 cache while every row of the block
   * walks it; each row's leaf values are still summed in tree order, so every mean equals {@link #mean}'s.
   */
  void meanBlock(float[] x, int width, int from, int to, double[] out, double[] sums) {
    long[] node = this.node;
    double[] value = this.value;
    int rows = to - from;
    for (int r = 0; r < rows; r++) {
      sums[r] = 0;
    }
    for (int t = 0; t < roots.length; t++) {
      int root = roots[t];
      int steps = depth[t];
      int r = 0;
      for (; r + 8 <= rows; r += 8) {
        int o0 = (from + r) * width;
        int o1 = o0 + width;
        int o2 = o1 + width;
        int o3 = o2 + width;
        int o4 = o3 + width;
        int o5 = o4 + width;
        int o6 = o5 + width;
        int o7 = o6 + width;
        int n0 = root;
        int n1 = root;
        int n2 = root;
        int n3 = root;
        int n4 = root;
        int n5 = root;
        int n6 = root;
        int n7 = root;
        for (int s = steps; s > 0; s--) {
          int m0 = step(node, x, o0, n0);
          int m1 = step(node, x, o1, n1);
          int m2 = step(node, x, o2, n2);
          int m3 = step(node, x, o3, n3);
          int m4 = step(node, x, o4, n4);
          int m5 = step(node, x, o5, n5);
          int m6 = step(node, x, o6, n6);
          int m7 = step(node, x, o7, n7);
          n0 = m0;
          n1 = m1;
          n2 = m2;
          n3 = m3;
          n4 = m4;
          n5 = m5;
          n6 = m6;
          n7 = m7;
        }
        sums[r] += value[n0];
        sums[r + 1] += value[n1];
        sums[r + 2] += value[n2];
        sums[r + 3] += value[n3];
        sums[r + 4] += value[n4];
        sums[r + 5] += value[n5];
        sums[r + 6] += value[n6];
        sums[r + 7] += value[n7];
      }
      for (; r < rows; r++) {
        sums[r] += value[leaf(node, x, (from + r) * width, root, steps)];
      }
    }
    int trees = roots.length;
    for (int r = 0; r < rows; r++) {
      out[from + r] = sums[r] / trees;
    }
  }
}
