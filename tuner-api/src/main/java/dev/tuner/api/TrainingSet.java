package dev.tuner.api;

import java.util.List;
import java.util.Objects;

/**
 * Encoded rows for training: {@code features} is row-major ({@code rows × featureNames.size()}), {@code targets}
 * holds one value of kind {@code target} per row.
 *
 * <p>{@code groups}, when not null, gives each row a group number (the host numbers the devices): rows of one group
 * are measurements of the same hardware, so a trainer that validates internally (to tune itself or weigh models)
 * holds whole groups out, as the host's leave-one-device-out evaluation does. Null means every row stands alone.
 *
 * <p>Immutable: the arrays are copied in, and {@link #features()}, {@link #targets()} and {@link #groups()} return
 * copies, so a trainer may change what it gets without touching the host's rows or another trainer's. Read single
 * values with {@link #feature}, {@link #target} and {@link #group}, which copy nothing.
 *
 * @since 1.1 ({@code groups}), 1.2 (copies, {@link #layout()}, single-value reads)
 */
public record TrainingSet(
    SchemaRef schema, List<String> featureNames, float[] features, double[] targets, OutputKind target,
    int[] groups) {
  /** A training set without groups. */
  public TrainingSet(
      SchemaRef schema, List<String> featureNames, float[] features, double[] targets, OutputKind target) {
    this(schema, featureNames, features, targets, target, null);
  }

  public TrainingSet {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(target, "target");
    featureNames = List.copyOf(featureNames);
    features = features.clone();
    targets = targets.clone();
    groups = groups == null ? null : groups.clone();
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
    if (groups != null) {
      if (groups.length != targets.length) {
        throw new InvalidInputException("groups", groups.length + " values", "one per row (" + targets.length + ")");
      }
      for (int i = 0; i < groups.length; i++) {
        if (groups[i] < 0) {
          throw new InvalidInputException("groups[" + i + "]", groups[i], "a group number >= 0");
        }
      }
    }
  }

  /** A copy of the row-major features. */
  @Override
  public float[] features() {
    return features.clone();
  }

  /** A copy of the targets. */
  @Override
  public double[] targets() {
    return targets.clone();
  }

  /** A copy of the groups, or null when the rows have none. */
  @Override
  public int[] groups() {
    return groups == null ? null : groups.clone();
  }

  /** The value of feature {@code column} in row {@code row}. */
  public float feature(int row, int column) {
    InvalidInputException.requireInRange("column", column, 0, width() - 1, "feature index");
    InvalidInputException.requireInRange("row", row, 0, rows() - 1, "row index");
    return features[row * width() + column];
  }

  public double target(int row) {
    return targets[row];
  }

  /**
   * The group of row {@code row}.
   *
   * @throws InvalidInputException when the rows have no groups
   */
  public int group(int row) {
    if (groups == null) {
      throw new InvalidInputException("groups", "none", "a training set with groups");
    }
    return groups[row];
  }

  /** The features as a layout: the schema and the slot names in order. */
  public FeatureLayout layout() {
    return new FeatureLayout(schema, featureNames);
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

  /** The subset of rows given by {@code index}, in that order, with their groups. */
  public TrainingSet select(int[] index) {
    int w = width();
    float[] f = new float[index.length * w];
    double[] t = new double[index.length];
    int[] g = groups == null ? null : new int[index.length];
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(features, index[i] * w, f, i * w, w);
      t[i] = targets[index[i]];
      if (g != null) {
        g[i] = groups[index[i]];
      }
    }
    return new TrainingSet(schema, featureNames, f, t, target, g);
  }
}
