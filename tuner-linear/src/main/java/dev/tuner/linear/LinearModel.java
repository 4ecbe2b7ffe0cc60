package dev.tuner.linear;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A fitted linear model (ridge or one of Tribuo's linear solvers): {@code intercept + Σ weights[i] * x[i]} in raw feature space, with the training means and
 * standard deviations kept for attribution. Immutable; arrays are copied in and out, so it is safe to share.
 */
public final class LinearModel implements ThroughputModel {

  private final ModelInfo info;
  private final List<String> featureNames;
  private final double[] means;
  private final double[] stds;
  private final double[] weights;
  private final double intercept;
  private final double lambda;
  private final PortableModel.Linear portable;

  LinearModel(ModelInfo info, LinearPayload payload) {
    this.info = info;
    this.featureNames = payload.featureNames();
    this.means = payload.means().clone();
    this.stds = payload.stds().clone();
    this.weights = payload.weights().clone();
    this.intercept = payload.intercept();
    this.lambda = payload.lambda();
    this.portable = new PortableModel.Linear(weights, intercept);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /**
   * {@code intercept + Σ weights[i] * x[i]} in double: the products are summed from feature 0 upward and the
   * intercept is added last, which is the order an exporter of {@link #portable()} has to follow to match bit for
   * bit.
   */
  @Override
  public double predict(float[] features) {
    if (features.length != weights.length) {
      throw new InvalidInputException(
          "features", features.length + " values", weights.length + " values, one per feature of the model");
    }
    return intercept + dot(features, 0);
  }

  @Override
  public void predictBatch(float[] features, int rows, double[] out) {
    int width = weights.length;
    if (rows < 0 || rows > out.length || (long) rows * width > features.length) {
      throw new InvalidInputException(
          "rows", Integer.toString(rows),
          "between 0 and the room in the arrays: " + features.length / width + " rows of features, " + out.length
              + " outputs");
    }
    for (int r = 0; r < rows; r++) {
      out[r] = intercept + dot(features, r * width);
    }
  }

  private double dot(float[] features, int offset) {
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i] * features[offset + i];
    }
    return sum;
  }

  /**
   * Each feature's share of the distance from the prediction at the training means: |w_i (x_i − mean_i)|,
   * normalised to sum 1. Empty when the input sits at the means (or every weight is 0), where no feature moved
   * the prediction.
   */
  @Override
  public List<FeatureImportance> attribution(float[] features, int limit) {
    InvalidInputException.requireInRange("limit", limit, 0, Integer.MAX_VALUE, "features");
    if (features.length != weights.length) {
      throw new InvalidInputException(
          "features", features.length + " values", weights.length + " values, one per feature of the model");
    }
    double[] contribution = new double[weights.length];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      contribution[i] = Math.abs(weights[i] * (features[i] - means[i]));
      total += contribution[i];
    }
    if (!(total > 0) || !Double.isFinite(total)) {
      return List.of();
    }
    List<Integer> order = new ArrayList<>(weights.length);
    for (int i = 0; i < weights.length; i++) {
      if (contribution[i] > 0) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -contribution[i]).thenComparingInt(i -> i));
    List<FeatureImportance> result = new ArrayList<>(Math.min(limit, order.size()));
    for (int i : order.subList(0, Math.min(limit, order.size()))) {
      result.add(new FeatureImportance(featureNames.get(i), contribution[i] / total));
    }
    return List.copyOf(result);
  }

  @Override
  public Optional<PortableModel> portable() {
    return Optional.of(portable);
  }

  /** Raw-space weights, one per feature; 0 for a feature that was constant in training. */
  public double[] weights() {
    return weights.clone();
  }

  public double intercept() {
    return intercept;
  }

  /** Training means of the features, the reference point of {@link #attribution}. */
  public double[] means() {
    return means.clone();
  }

  /** Training standard deviations (population) of the features; 0 marks a dropped constant feature. */
  public double[] stds() {
    return stds.clone();
  }

  /** The penalty λ the model was fitted with (ridge and elastic net; 0 for the solvers without one). */
  public double lambda() {
    return lambda;
  }

  public List<String> featureNames() {
    return featureNames;
  }

  @Override
  public String toString() {
    return "LinearModel[" + info.modelId() + ", " + weights.length + " features, lambda=" + lambda + "]";
  }
}
