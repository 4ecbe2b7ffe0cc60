package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random shapes and awkward columns (binary, duplicated, constant, nearly constant), random target scales and
 * hyper-parameters: whatever is trained predicts finite values for any input in [0, 1], before and after reload.
 */
class PredictionPropertyTest {

  static LongStream seeds() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void predictionsAreFiniteForRandomInputsInTheUnitCube(long seed) {
    SplittableRandom random = new SplittableRandom(seed * 7919 + 1);
    int p = random.nextInt(1, 25);
    int n = random.nextInt(10, 160);
    double scale = Math.pow(10, random.nextInt(-3, 7));
    float[] x = new float[n * p];
    int[] kind = new int[p];
    for (int j = 0; j < p; j++) {
      kind[j] = random.nextInt(5);
    }
    double[] beta = Synthetic.uniform(random, p, -scale, scale);
    double[] y = new double[n];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < p; j++) {
        x[r * p + j] = switch (kind[j]) {
          case 0 -> (float) random.nextDouble();
          case 1 -> random.nextInt(2);
          case 2 -> j > 0 ? x[r * p + j - 1] : 0.5f;
          case 3 -> 0.25f;
          default -> r == 0 ? Math.nextUp(0.5f) : 0.5f;
        };
        y[r] += beta[j] * x[r * p + j];
      }
      y[r] += scale * Synthetic.gaussian(random);
    }
    TrainingSet data = new TrainingSet(Synthetic.SCHEMA, Synthetic.names(p), x, y, OutputKind.TOKENS_PER_SECOND);
    Map<String, String> hp = new HashMap<>();
    hp.put("folds", Integer.toString(random.nextInt(2, Math.min(10, n) + 1)));
    if (random.nextInt(4) == 0) {
      hp.put("lambda", Double.toString(Math.pow(10, random.nextInt(-4, 4))));
    }

    TrainedModel trained = Synthetic.train(data, seed, hp);
    ThroughputModel loaded = new LinearProvider().load(Synthetic.payload(trained));

    for (int i = 0; i < 200; i++) {
      float[] probe = new float[p];
      for (int j = 0; j < p; j++) {
        probe[j] = random.nextInt(10) == 0 ? random.nextInt(2) : (float) random.nextDouble();
      }
      double prediction = trained.model().predict(probe);
      assertThat(prediction).isFinite();
      assertThat(loaded.predict(probe)).isEqualTo(prediction);
      assertThat(trained.model().attribution(probe, p))
          .allSatisfy(f -> assertThat(f.importance()).isBetween(0.0, 1.0));
    }
  }
}
