package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import java.util.Map;
import java.util.Objects;

/**
 * What to train: the target kind, hyper-parameters for the provider's trainer, the seed, the cross-validation
 * split whose held-out residuals calibrate the intervals ({@code device}, {@code model} or a fold count), the
 * interval level, threads and a progress sink.
 */
public record TrainRequest(
    OutputKind target,
    Map<String, String> hyperParameters,
    long seed,
    String cv,
    double level,
    int threads,
    ProgressListener progress) {
  public TrainRequest {
    Objects.requireNonNull(target, "target");
    hyperParameters = Map.copyOf(hyperParameters);
    Objects.requireNonNull(cv, "cv");
    InvalidInputException.requireInRange("interval level", level, 0.5, 0.99, "");
    InvalidInputException.requireInRange("threads", threads, 1, 1024, "threads");
    Objects.requireNonNull(progress, "progress");
  }
}
