package dev.tuner.linear.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.api.TunerException;
import dev.tuner.linear.LinearProvider;
import dev.tuner.linear.RidgeTrainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The linear provider's payload decoder, the bytes inside a {@code linear} model artifact (tuner-core's loader hands
 * them over once the artifact's digests and header check out), fed arbitrary bytes. Contract (LinearProvider.load,
 * LinearPayload.decode): anything unusable is a ModelLoadException or IncompatibleModelException (TunerExceptions)
 * and nothing else escapes; every length is bounded before allocation; a model that loads predicts its (finite)
 * intercept for an all-zero row.
 *
 * <p>Regression inputs: src/test/resources/dev/tuner/linear/fuzz/LinearPayloadFuzzTestInputs/load/; the seed is the
 * payload of {@link #TRAINED}, so the declared info below matches it.
 */
class LinearPayloadFuzzTest {
  /** Three features, ridge strength chosen by 3-fold cross-validation over 4 steps: every section of the format. */
  static final TrainedModel TRAINED = train();
  private static final ModelInfo DECLARED = TRAINED.model().info();
  private static final LinearProvider PROVIDER = new LinearProvider();

  @FuzzTest(maxDuration = "60s")
  void load(byte[] payload) {
    ThroughputModel model;
    try {
      model = PROVIDER.load(new ModelPayload(DECLARED, payload));
    } catch (TunerException refused) {
      return;
    }
    assertThat(model.info().featureCount()).isEqualTo(DECLARED.featureCount());
    // the weights are in raw feature space, so an all-zero row gives exactly the intercept, which load checked
    // finite; far from zero a huge weight may overflow, and the Predictor refuses that with a TunerException
    assertThat(model.predict(new float[DECLARED.featureCount()])).isFinite();
  }

  private static TrainedModel train() {
    SplittableRandom random = new SplittableRandom(20251126L);
    int rows = 40;
    int p = 3;
    float[] x = new float[rows * p];
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < p; j++) {
        x[r * p + j] = (float) random.nextDouble();
      }
      y[r] = 0.3 + x[r * p] - 2 * x[r * p + 1] + 0.5 * x[r * p + 2] + 0.1 * random.nextGaussian();
    }
    TrainingSet data = new TrainingSet(new SchemaRef("fuzz-v1", "ab".repeat(32)), List.of("a", "b\\n", "c"), x, y,
        OutputKind.LOG_ROOFLINE_FRACTION);
    return new RidgeTrainer().train(data, new TrainingOptions(1L, Map.of("lambda_steps", "4", "folds", "3"), 1,
        ProgressListener.NONE));
  }
}
