package dev.tuner.core.plugin.testing;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ThroughputModel;

/** A model whose raw output is the same number for every input; immutable, like every model must be. */
public final class ConstantModel implements ThroughputModel {
  private final ModelInfo info;
  private final double value;

  public ConstantModel(ModelInfo info, double value) {
    this.info = info;
    this.value = value;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] features) {
    return value;
  }

  public double value() {
    return value;
  }
}
