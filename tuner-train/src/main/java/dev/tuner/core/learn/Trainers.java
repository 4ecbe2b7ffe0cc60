package dev.tuner.core.learn;

import dev.tuner.api.ModelProvider;
import dev.tuner.api.ModelTrainer;
import dev.tuner.core.ensemble.EnsembleProvider;
import java.util.Optional;

/**
 * A provider's trainer. Plugins bring their own; tuner's built-in ensemble provider lives in the prediction runtime,
 * which carries no training code, so its trainer is made here, over the same installed providers.
 */
public final class Trainers {
  private Trainers() {}

  /** The trainer of {@code provider}, empty when it only runs models. */
  public static Optional<ModelTrainer> of(ModelProvider provider) {
    if (provider instanceof EnsembleProvider ensemble) {
      return Optional.of(new EnsembleTrainer(ensemble::member));
    }
    return provider.trainer();
  }
}
