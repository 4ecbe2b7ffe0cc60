package dev.tuner.core.predict;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.schema.FeatureSchema;
import java.util.OptionalDouble;

/** A test model with a fixed raw output of a given kind and, optionally, a fixed spread. Immutable. */
final class FixedModel implements ThroughputModel {
  private final ModelInfo info;
  private final double raw;
  private final OptionalDouble spread;

  FixedModel(FeatureSchema schema, OutputKind kind, double raw, OptionalDouble spread) {
    this.info = new ModelInfo("fixed-" + kind.id(), "test", schema.ref(), kind, schema.width());
    this.raw = raw;
    this.spread = spread;
  }

  FixedModel(FeatureSchema schema, OutputKind kind, double raw) {
    this(schema, kind, raw, OptionalDouble.empty());
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] features) {
    return raw;
  }

  @Override
  public OptionalDouble spread(float[] features) {
    return spread;
  }
}
