package dev.tuner.api;

import java.util.Map;
import java.util.Objects;

/** How to train: seed, hyper-parameters (absent keys take the trainer's defaults), threads and a progress sink. */
public record TrainingOptions(long seed, Map<String, String> hyperParameters, int threads, ProgressListener progress) {
  public TrainingOptions {
    hyperParameters = Map.copyOf(hyperParameters);
    InvalidInputException.requireInRange("threads", threads, 1, 1024, "threads");
    Objects.requireNonNull(progress, "progress");
  }

  public static TrainingOptions of(long seed, Map<String, String> hyperParameters) {
    return new TrainingOptions(seed, hyperParameters, Math.max(1, Runtime.getRuntime().availableProcessors()),
        ProgressListener.NONE);
  }
}
