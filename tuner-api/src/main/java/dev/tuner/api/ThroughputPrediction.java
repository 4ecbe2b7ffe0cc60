package dev.tuner.api;

import java.util.List;
import java.util.Objects;

/**
 * A prediction for one scenario. {@code tokensPerSecond} never exceeds {@code rooflineTokensPerSecond};
 * {@code capped} says the model's own answer was above the roof and was lowered to it. {@code rawOutput} is the
 * model's output in its own {@link OutputKind}. {@code assumptions} lists every figure that was not given and was
 * assumed.
 */
public record ThroughputPrediction(
    double tokensPerSecond,
    double rooflineTokensPerSecond,
    Bound bound,
    boolean capped,
    double rawOutput,
    double confidence,
    Interval interval,
    List<FeatureImportance> topFeatures,
    String modelId,
    List<String> assumptions) {
  public ThroughputPrediction {
    InvalidInputException.requireInRange("tokensPerSecond", tokensPerSecond, 0, Double.MAX_VALUE, "tokens/s");
    InvalidInputException.requireInRange(
        "rooflineTokensPerSecond", rooflineTokensPerSecond, 0, Double.MAX_VALUE, "tokens/s");
    if (tokensPerSecond > rooflineTokensPerSecond) {
      throw new InvalidInputException(
          "tokensPerSecond", tokensPerSecond, "at most the roofline, " + rooflineTokensPerSecond + " tokens/s");
    }
    Objects.requireNonNull(bound, "bound");
    InvalidInputException.requireInRange("confidence", confidence, 0, 1, "");
    Objects.requireNonNull(interval, "interval");
    topFeatures = List.copyOf(topFeatures);
    Objects.requireNonNull(modelId, "modelId");
    assumptions = List.copyOf(assumptions);
  }
}
