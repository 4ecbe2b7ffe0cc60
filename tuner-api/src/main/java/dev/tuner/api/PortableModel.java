package dev.tuner.api;

/**
 * A model written as plain arrays, so that an exporter (ONNX, C, …) can reproduce it exactly without knowing the
 * library that trained it. Every form computes its raw output from a float feature vector.
 */
public sealed interface PortableModel permits PortableModel.Linear, PortableModel.TreeEnsemble,
    PortableModel.PhaseBlend {

  /** {@code output = intercept + Σ weights[i] * x[i]}. */
  record Linear(double[] weights, double intercept) implements PortableModel {
    public Linear {
      weights = weights.clone();
      for (int i = 0; i < weights.length; i++) {
        InvalidInputException.requireInRange("weights[" + i + "]", weights[i], -Double.MAX_VALUE, Double.MAX_VALUE, "");
      }
      InvalidInputException.requireInRange("intercept", intercept, -Double.MAX_VALUE, Double.MAX_VALUE, "");
    }

    @Override
    public double[] weights() {
      return weights.clone();
    }
  }

  /**
   * A forest of binary trees in structure-of-arrays form. Node {@code n} is a leaf when {@code feature[n] < 0},
   * with value {@code value[n]}; otherwise the walk goes to {@code left[n]} when {@code x[feature[n]] <=
   * threshold[n]} and to {@code right[n]} otherwise. Tree {@code t} starts at node {@code roots[t]}. The output is
   * {@code base + scale * Σ_t value(leaf_t)}; an average over T trees has {@code scale = 1/T}.
   */
  record TreeEnsemble(
      int featureCount,
      int[] roots,
      int[] feature,
      float[] threshold,
      int[] left,
      int[] right,
      double[] value,
      double base,
      double scale)
      implements PortableModel {
    public TreeEnsemble {
      int nodes = feature.length;
      if (threshold.length != nodes || left.length != nodes || right.length != nodes || value.length != nodes) {
        throw new InvalidInputException(
            "tree ensemble arrays", "lengths " + nodes + "/" + threshold.length + "/" + left.length + "/"
                + right.length + "/" + value.length, "five arrays of the same length");
      }
      if (roots.length == 0) {
        throw new InvalidInputException("tree ensemble roots", "0 trees", "at least one tree");
      }
      for (int root : roots) {
        InvalidInputException.requireInRange("tree root", root, 0, nodes - 1, "node index");
      }
      for (int n = 0; n < nodes; n++) {
        if (feature[n] >= 0) {
          InvalidInputException.requireInRange("feature[" + n + "]", feature[n], 0, featureCount - 1, "");
          InvalidInputException.requireInRange("left[" + n + "]", left[n], n + 1, nodes - 1, "a later node");
          InvalidInputException.requireInRange("right[" + n + "]", right[n], n + 1, nodes - 1, "a later node");
          if (Float.isNaN(threshold[n])) {
            throw new InvalidInputException("threshold[" + n + "]", "NaN", "a number");
          }
        } else {
          InvalidInputException.requireInRange("value[" + n + "]", value[n], -Double.MAX_VALUE, Double.MAX_VALUE, "");
        }
      }
      InvalidInputException.requireInRange("base", base, -Double.MAX_VALUE, Double.MAX_VALUE, "");
      InvalidInputException.requireInRange("scale", scale, -Double.MAX_VALUE, Double.MAX_VALUE, "");
      roots = roots.clone();
      feature = feature.clone();
      threshold = threshold.clone();
      left = left.clone();
      right = right.clone();
      value = value.clone();
    }

    public int treeCount() {
      return roots.length;
    }

    public int nodeCount() {
      return feature.length;
    }

    @Override
    public int[] roots() {
      return roots.clone();
    }

    @Override
    public int[] feature() {
      return feature.clone();
    }

    @Override
    public float[] threshold() {
      return threshold.clone();
    }

    @Override
    public int[] left() {
      return left.clone();
    }

    @Override
    public int[] right() {
      return right.clone();
    }

    @Override
    public double[] value() {
      return value.clone();
    }

    /** Evaluates the ensemble on one row; the reference semantics every exporter must reproduce. */
    public double evaluate(float[] x) {
      double sum = 0;
      for (int root : roots) {
        int n = root;
        while (feature[n] >= 0) {
          n = x[feature[n]] <= threshold[n] ? left[n] : right[n];
        }
        sum += value[n];
      }
      return base + scale * sum;
    }
  }

  /**
   * A tree ensemble plus one of two linear models, chosen by a flag feature: {@code output = trees(x) + (x[flag] >
   * 0.5 ? whenSet(x) : whenClear(x))}. It is the exact form of a per-phase weighted blend of tree ensembles and
   * linear models: weights fold into the leaves and the linear coefficients, and each tree routes on the flag first.
   *
   * @since 1.1
   */
  record PhaseBlend(int flagFeature, TreeEnsemble trees, Linear whenClear, Linear whenSet) implements PortableModel {
    public PhaseBlend {
      java.util.Objects.requireNonNull(trees, "trees");
      java.util.Objects.requireNonNull(whenClear, "whenClear");
      java.util.Objects.requireNonNull(whenSet, "whenSet");
      int width = trees.featureCount();
      InvalidInputException.requireInRange("flagFeature", flagFeature, 0, width - 1, "feature index");
      if (whenClear.weights().length != width || whenSet.weights().length != width) {
        throw new InvalidInputException("phase blend linear weights", whenClear.weights().length + " and "
            + whenSet.weights().length, "one per feature of the trees, " + width);
      }
    }

    /** Evaluates the blend on one row; the reference semantics every exporter must reproduce. */
    public double evaluate(float[] x) {
      Linear linear = x[flagFeature] > 0.5f ? whenSet : whenClear;
      double sum = linear.intercept();
      double[] w = linear.weights();
      for (int i = 0; i < w.length; i++) {
        sum += w[i] * x[i];
      }
      return trees.evaluate(x) + sum;
    }
  }
}
