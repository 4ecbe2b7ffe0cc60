package dev.tuner.example.embedding;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.ScenarioRequest;

/**
 * What a product (a scheduler, a capacity planner) does with tuner: one predictor, made once without a dependency
 * injection framework from the default configuration, which loads the shipped default model; then predictions.
 * Immutable and thread-safe, as the predictor is.
 */
public final class CapacityPlanner {
  private final Catalog catalog;
  private final Predictor predictor;

  public CapacityPlanner() {
    DirectWiring tuner = new DirectWiring(TunerConfig.defaults());
    this.catalog = tuner.catalog();
    this.predictor = tuner.predictor();
  }

  /** Decode tokens/s of {@code model} on {@code device} with the given weights' quantization, batch and context. */
  public ThroughputPrediction decode(String model, String device, String quant, int batch, int context) {
    return predictor.predict(ScenarioRequest.of(model, device, quant, batch, context, "decode").resolve(catalog));
  }

  public Predictor predictor() {
    return predictor;
  }
}
