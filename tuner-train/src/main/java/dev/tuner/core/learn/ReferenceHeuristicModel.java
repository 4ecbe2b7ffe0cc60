package dev.tuner.core.learn;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.List;
import java.util.Map;

/**
 * The seed's default heuristic, as a baseline: {@code 1000 × (0.4 + 0.3·batch + 0.1·cuda_graphs + 0.15·bandwidth +
 * 0.1·SMs − 0.15·params − 0.05·seq_len)} tokens/s over the {@code reference-v1} features, floored at 1. The host
 * clamps it to tuner's roofline like any model.
 */
public final class ReferenceHeuristicModel implements ThroughputModel {
  private final ModelInfo info;
  private final double[] weights;
  private final double bias = 0.4;

  public ReferenceHeuristicModel() {
    FeatureSchema s = FeatureSchemas.referenceV1();
    weights = new double[s.width()];
    weights[s.indexOf("batch_size_norm")] = 0.3;
    weights[s.indexOf("cuda_graphs")] = 0.1;
    weights[s.indexOf("gpu_mem_bw_norm")] = 0.15;
    weights[s.indexOf("gpu_sm_norm")] = 0.1;
    weights[s.indexOf("model_params_b")] = -0.15;
    weights[s.indexOf("seq_len_log")] = -0.05;
    info = new ModelInfo("reference-heuristic", "reference", s.ref(), OutputKind.TOKENS_PER_SECOND, s.width(),
        Map.of("source", "the seed's default weights (throughput_regressor.rs ThroughputRegressor::new)"), List.of());
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] x) {
    double sum = bias;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i] * x[i];
    }
    return Math.max(1000 * sum, 1.0);
  }
}
