package dev.tuner.core.predict;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.schema.Quantity;
import java.util.EnumSet;
import java.util.Set;

/**
 * The run settings a scenario states that its prediction must be able to answer. A kernel or CUDA graphs reach a
 * prediction only through a feature of the model's schema (neither changes the roofline), so a model without that
 * feature, or the roofline-only model, would answer as if the setting were not there; and CUDA graphs on a backend
 * that captures none ({@link Backend#capturesGraphs}) describe a run that cannot happen. Either is refused, for every
 * caller of {@link Predictor}, not only the CLI's options. Immutable.
 */
final class SettingEffects {
  private final Set<Quantity> read;
  private final String model;

  SettingEffects(LoadedModel loaded) {
    read = EnumSet.noneOf(Quantity.class);
    if (!(loaded.model() instanceof RooflineOnlyModel)) {
      loaded.schema().slots().forEach(s -> read.add(s.quantity()));
    }
    model = loaded.model() instanceof RooflineOnlyModel ? "the roofline-only model"
        : "model " + loaded.model().info().modelId() + " (schema " + loaded.schema().id() + ")";
  }

  /** Whether the model's prediction reads {@code q}. */
  boolean reads(Quantity q) {
    return read.contains(q);
  }

  /** Throws when {@code s} states a setting its prediction would not answer. */
  void require(Scenario s) {
    if (s.kernel().isPresent() && !reads(Quantity.KERNEL)) {
      throw new InvalidInputException("kernel", s.kernel().get().id(), "none: " + model
          + " has no kernel feature, so the prediction would ignore it");
    }
    if (!s.cudaGraphs()) {
      return;
    }
    if (!reads(Quantity.CUDA_GRAPHS)) {
      throw new InvalidInputException("cuda graphs", "true", "false: " + model
          + " has no CUDA-graphs feature, so the prediction would ignore it");
    }
    Backend backend = s.engine().backend();
    if (!backend.capturesGraphs()) {
      throw new InvalidInputException("cuda graphs", "true with backend " + backend.id(), "false, or the CUDA"
          + " backend (or ROCm built with GGML_HIP_GRAPHS): llama.cpp captures graphs in no other");
    }
  }
}
