package dev.tuner.api;

import java.util.Objects;

/** One feature's share in a prediction or a model. Importances of one list are non-negative and sum to at most 1. */
public record FeatureImportance(String feature, double importance) {
  public FeatureImportance {
    Objects.requireNonNull(feature, "feature");
    InvalidInputException.requireInRange("importance of " + feature, importance, 0.0, 1.0, "");
  }
}
