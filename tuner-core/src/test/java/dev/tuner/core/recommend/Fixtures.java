package dev.tuner.core.recommend;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.SpecEstimates;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Hand-made specs so these tests do not depend on the shipped catalog's contents. */
final class Fixtures {
  static final ModelSpec LLAMA_8B =
      new ModelSpec("Test 8B", 8.03, 4096, 32, 32, 8, 128, 128256, List.of(), "test");
  static final DeviceSpec GPU_24GB = new DeviceSpec("Test GPU", "TestVendor", 1008, OptionalDouble.of(330.3),
      OptionalDouble.empty(), OptionalDouble.of(82.6), 128, OptionalDouble.of(72), OptionalDouble.of(24), List.of(),
      "test");
  static final DeviceSpec GPU_NO_MEMORY = new DeviceSpec("Mystery GPU", "TestVendor", 800, OptionalDouble.of(100),
      OptionalDouble.empty(), OptionalDouble.empty(), 0, OptionalDouble.empty(), OptionalDouble.empty(), List.of(),
      "test");
  static final Quantization Q4 = quant("Q4_K_M", 4.84, QuantClass.Q4_K);
  static final Quantization Q8 = quant("Q8_0", 8.5, QuantClass.Q8_0);
  static final Quantization F16 = quant("F16", 16, QuantClass.F16);

  private Fixtures() {}

  static Quantization quant(String name, double bits, QuantClass c) {
    return new Quantization(name, bits, c, Activation.FP16, List.of(), "test");
  }

  static Predictor predictor(ThroughputModel model) {
    FeatureSchema schema = FeatureSchemas.tunerV1();
    return new Predictor(new LoadedModel(model, schema, Calibration.none(schema.width()), Optional.empty()),
        new Roofline(new SpecEstimates(List.of())), 0.9, false);
  }
}
