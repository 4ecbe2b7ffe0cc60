package dev.tuner.api;

import java.util.Map;

/** Learns a model from an encoded training set. Deterministic for a given set, hyper-parameters and seed. */
public interface ModelTrainer {

  /** The hyper-parameters this trainer accepts, with their defaults, as text. */
  Map<String, String> defaultHyperParameters();

  /**
   * Trains one model.
   *
   * @throws InvalidInputException for an unknown or out-of-range hyper-parameter (naming it and the range)
   * @throws TrainingException when the data cannot produce a model
   */
  TrainedModel train(TrainingSet data, TrainingOptions options);
}
