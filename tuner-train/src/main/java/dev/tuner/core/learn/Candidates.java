package dev.tuner.core.learn;

import dev.tuner.api.ModelTrainer;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.core.learn.Candidate.Fitted;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.stats.Median;
import java.util.Arrays;
import java.util.function.Function;

/** The candidates tuner evaluates: a plugin's trainer and the two baselines. */
public final class Candidates {
  private Candidates() {}

  /**
   * A plugin trainer learning {@code target} on {@code data}. The {@link ReferenceSettings} among the
   * hyper-parameters set the reference of each fit (chosen from its training rows under {@code auto}); the trainer
   * gets the others.
   */
  public static Candidate trainer(String name, ModelTrainer trainer, Encoded data, OutputKind target,
      TrainingOptions options) {
    ReferenceSettings settings = ReferenceSettings.from(options.hyperParameters());
    return of(name, data, rows -> {
      Trained t = train(trainer, data, rows, target, options, settings);
      return new Fitted(t.trained().model(), t.reference());
    });
  }

  /** A candidate named {@code name} over {@code data} whose fit on the given training rows is {@code fit}. */
  static Candidate of(String name, Encoded data, Function<int[], Fitted> fit) {
    return new Candidate() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Encoded data() {
        return data;
      }

      @Override
      public Fitted fit(int[] trainRows) {
        return fit.apply(trainRows);
      }
    };
  }

  /** A candidate that predicts with {@code model} whatever its training rows: nothing to fit. */
  public static Candidate fixed(String name, Encoded data, ThroughputModel model) {
    return of(name, data, rows -> Fitted.plain(model));
  }

  /** A trainer's fit and the reference its targets were relative to. */
  record Trained(TrainedModel trained, Reference reference) {}

  /**
   * {@code trainer} fitted on {@code rows} of {@code data}: {@code settings} choose the reference from those rows, and
   * the trainer gets targets relative to it and the other hyper-parameters.
   */
  static Trained train(ModelTrainer trainer, Encoded data, int[] rows, OutputKind target, TrainingOptions options,
      ReferenceSettings settings) {
    Reference reference = settings.choose(data, rows, target);
    TrainingOptions own = new TrainingOptions(options.seed(), ReferenceSettings.without(options.hyperParameters()),
        options.threads(), options.progress());
    return new Trained(trainer.train(data.trainingSet(reference).select(rows), own), reference);
  }

  /** The roofline times the median measured/roofline of the training rows, per phase. */
  public static Candidate rooflineEfficiency(Encoded data) {
    return of("roofline_efficiency", data, rows -> Fitted.plain(new RooflineOnlyModel(data.schema(),
        "roofline-x-median-efficiency", medianEfficiency(data, rows, Phase.DECODE),
        medianEfficiency(data, rows, Phase.PREFILL))));
  }

  /** The seed's heuristic with its default weights; nothing to fit. {@code data} must be in reference-v1. */
  public static Candidate referenceHeuristic(Encoded referenceData) {
    return fixed("reference_heuristic", referenceData, new ReferenceHeuristicModel());
  }

  /** Median of measured / roofline over the training rows of one phase (0.5 if the phase has none). */
  public static double medianEfficiency(Encoded data, int[] rows, Phase phase) {
    return Median.of(Arrays.stream(rows).filter(i -> data.phases[i] == phase)
        .mapToDouble(i -> Math.min(1.0, data.measured[i] / data.roofs[i])).toArray(), 0.5);
  }
}
