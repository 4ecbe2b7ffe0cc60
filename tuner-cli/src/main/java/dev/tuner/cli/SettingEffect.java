package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.core.schema.Quantity;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Refuses a run setting that the loaded model cannot see. A setting reaches a prediction only through a feature of
 * the model's schema (none of these changes the roofline), so with a model whose schema lacks that feature, or with
 * the roofline-only model, the flag would be silently ignored: the user would read a prediction as if it answered
 * their setting. CUDA graphs are refused as well on a backend that has none.
 */
final class SettingEffect {
  private SettingEffect() {}

  /** Throws unless {@code predictor}'s model has a feature of {@code quantity}; nothing when the option is absent. */
  static void require(Predictor predictor, String option, Object value, Quantity quantity) {
    if (value == null) {
      return;
    }
    FeatureSchema schema = predictor.model().schema();
    if (predictor.reads(quantity)) {
      return;
    }
    if (predictor.model().model() instanceof RooflineOnlyModel) {
      throw new InvalidInputException(option, String.valueOf(value),
          "a model that learns it: the roofline-only model has no " + feature(quantity) + " (drop " + option + ")");
    }
    throw new InvalidInputException(option, String.valueOf(value),
        "a model whose feature schema has a " + feature(quantity) + ": model "
            + predictor.model().model().info().modelId() + " is on schema " + schema.id() + ", which has none;"
            + " schemas with it: " + schemasWith(quantity) + " (drop " + option + ")");
  }

  /**
   * Throws when CUDA graphs are asked of a backend that has none ({@link Backend#capturesGraphs}; stated by --backend,
   * or the device's usual one, {@link EngineSettings#backendAssumed}), naming the options: the library refuses it
   * too, in the words of its fields.
   */
  static void requireCudaGraphsOn(boolean cudaGraphs, EngineSettings engine, DeviceSpec device) {
    Backend backend = engine.backend();
    if (!cudaGraphs || backend.capturesGraphs()) {
      return;
    }
    String with = Stream.of(Backend.CUDA, Backend.ROCM).filter(b -> b.runsOn(device)).map(Backend::id)
        .collect(Collectors.joining(" or "));
    throw new InvalidInputException("--cuda-graphs", "true with backend " + backend.id() + (engine.backendAssumed()
        ? " (the usual one on " + device.vendor() + " devices; no --backend given)" : ""), "the CUDA backend, or ROCm"
        + " built with GGML_HIP_GRAPHS: llama.cpp captures graphs in no other (drop --cuda-graphs"
        + (with.isEmpty() ? "" : ", or give --backend " + with) + ")");
  }

  private static String feature(Quantity quantity) {
    return quantity.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " feature";
  }

  private static String schemasWith(Quantity quantity) {
    return FeatureSchemas.all().stream()
        .filter(s -> s.slots().stream().anyMatch(slot -> slot.quantity() == quantity))
        .map(FeatureSchema::id)
        .collect(Collectors.joining(", "));
  }
}
