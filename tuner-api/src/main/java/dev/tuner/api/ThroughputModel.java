package dev.tuner.api;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A trained regressor over one feature schema. Implementations are immutable and safe to share between threads;
 * every method may be called concurrently. The raw output's meaning is {@link ModelInfo#outputKind()}: the host
 * converts it to tokens/s and bounds it by the roofline, so a model never needs to know the physics.
 */
public interface ThroughputModel extends AutoCloseable {

  ModelInfo info();

  /**
   * Predicts the raw output for one encoded scenario. {@code features.length} equals
   * {@link ModelInfo#featureCount()}; values lie in [0, 1]. Must not keep a reference to the array.
   */
  double predict(float[] features);

  /**
   * Predicts {@code rows} scenarios laid out row-major in {@code features} (row {@code r} starts at
   * {@code r * featureCount}) into {@code out[0..rows)}. Override it when a batch is cheaper than a loop.
   */
  default void predictBatch(float[] features, int rows, double[] out) {
    int width = info().featureCount();
    float[] row = new float[width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(features, r * width, row, 0, width);
      out[r] = predict(row);
    }
  }

  /**
   * The model's own spread of the raw output for this input (e.g. the standard deviation across the trees of a
   * forest), in the units of the raw output; empty if the model has none. The host calibrates it on held-out data
   * before it becomes an interval.
   */
  default OptionalDouble spread(float[] features) {
    return OptionalDouble.empty();
  }

  /**
   * The features that drove this prediction, largest first, at most {@code limit}, importances summing to at most
   * 1; an empty list when the model cannot say.
   */
  default List<FeatureImportance> attribution(float[] features, int limit) {
    return List.of();
  }

  /** A library-neutral form of the model for export (e.g. to ONNX); empty if it has none. */
  default Optional<PortableModel> portable() {
    return Optional.empty();
  }

  /** Releases native resources; the default has none. */
  @Override
  default void close() {}
}
