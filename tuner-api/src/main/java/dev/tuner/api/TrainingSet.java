package dev.tuner.api;

import java.util.List;
import java.util.Objects;

/**
 * Encoded rows for training: {@code features} is row-major ({@code rows × featureNames.size()}), {@code targets}
 * holds one value of kind {@code target} per row.
 */
public record TrainingSet(
    SchemaRef schema, List<String> featureNames, float[] features, double[] targets, OutputKind target) {
  public TrainingSet {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(target, "target");
    featureNames = List.copyOf(featureNames);
    if (featureNames.isEmpty()) {
      throw new InvalidInputException("featureNames", "[]", "at least one feature");
    }
    if (features.length != targets.length * featureNames.size()) {
      throw new InvalidInputException(
          "features",
          features.length + " values",
          targets.length + " rows × " + featureNames.size() + " features = " + targets.length * featureNames.size());
    }
    for (int i = 0; i < targets.length; i++) {
      if (!Double.isFinite(targets[i])) {
        throw new InvalidInputException("targets[" + i + "]", targets[i], "a finite number");
      }
    }
    for (int i = 0; i < features.length; i++) {
      if (!Float.isFinite(features[i])) {
        throw new InvalidInputException("features[" + i + "]", features[i], "a finite number");
      }
    }
  }

  public int rows() {
    return targets.length;
  }

  public int width() {
    return featureNames.size();
  }

  /** Copies row {@code r} into a new array. */
  public float[] row(int r) {
    float[] out = new float[width()];
    System.arraycopy(features, r * width(), out, 0, width());
    return out;
  }

  /** The subset of rows given by {@code index}, in that order. */
  public TrainingSet select(int[] index) {
    int w = width();
    float[] f = new float[index.length * w];
    double[] t = new double[index.length];
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(features, index[i] * w, f, i * w, w);
      t[i] = targets[index[i]];
    }
    return new TrainingSet(schema, featureNames, f, t, target);
  }
}
