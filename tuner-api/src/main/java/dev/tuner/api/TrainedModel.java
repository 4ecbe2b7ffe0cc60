package dev.tuner.api;

import java.util.Map;
import java.util.Objects;

/**
 * The result of training: the model, the bytes its provider's {@link ModelProvider#load} turns back into an
 * equal model, and the hyper-parameters actually used (defaults filled in).
 */
public record TrainedModel(ThroughputModel model, byte[] payload, Map<String, String> hyperParameters) {
  public TrainedModel {
    Objects.requireNonNull(model, "model");
    payload = payload.clone();
    hyperParameters = Map.copyOf(hyperParameters);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }
}
