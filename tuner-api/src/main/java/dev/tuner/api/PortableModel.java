package dev.tuner.api;

/**
 * A model written as plain arrays, so that an exporter (ONNX, C, …) can reproduce it exactly without knowing the
 * library that trained it. Every form computes its raw output from a float feature vector: the leaves
 * ({@link Linear}, {@link TreeEnsemble}) and two general compositions ({@link Sum}, {@link Select}) from which a host
 * builds what its own models need (a blend of models per phase is a sum with a selection by the phase flag).
 *
 * @since 1.2 ({@link Sum}, {@link Select} and {@link #evaluate}; they replace the ensemble-specific form of 1.1)
 */
public sealed interface PortableModel permits PortableModel.Linear, PortableModel.TreeEnsemble,
    PortableModel.Sum, PortableModel.Select {

  /** Evaluates the form on one row; the reference semantics every exporter must reproduce. */
  double evaluate(float[] x);

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

    @Override
    public double evaluate(float[] x) {
      double sum = intercept;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i] * x[i];
      }
      return sum;
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

    @Override
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

  /** {@code output = Σ terms[i](x)}. */
  record Sum(java.util.List<PortableModel> terms) implements PortableModel {
    public Sum {
      terms = java.util.List.copyOf(terms);
      if (terms.isEmpty()) {
        throw new InvalidInputException("sum terms", "[]", "at least one term");
      }
    }

    @Override
    public double evaluate(float[] x) {
      double sum = 0;
      for (PortableModel term : terms) {
        sum += term.evaluate(x);
      }
      return sum;
    }
  }

  /**
   * {@code output = x[feature] <= threshold ? whenAtMost(x) : whenAbove(x)}, the comparison of a tree's split.
   */
  record Select(int feature, float threshold, PortableModel whenAtMost, PortableModel whenAbove)
      implements PortableModel {
    public Select {
      InvalidInputException.requireInRange("select feature", feature, 0, 4095, "feature index");
      if (Float.isNaN(threshold)) {
        throw new InvalidInputException("select threshold", "NaN", "a number");
      }
      java.util.Objects.requireNonNull(whenAtMost, "whenAtMost");
      java.util.Objects.requireNonNull(whenAbove, "whenAbove");
    }

    @Override
    public double evaluate(float[] x) {
      return x[feature] <= threshold ? whenAtMost.evaluate(x) : whenAbove.evaluate(x);
    }
  }
}
