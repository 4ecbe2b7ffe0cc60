package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;

/** Property: for any input, the prediction is finite and inside the range of the leaf values. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionBoundsTest {
  private final ThroughputModel model =
      new ForestTrainer().train(Synthetic.nonlinear(200, 61), Synthetic.options(3, 2, Synthetic.small())).model();
  private final double[] leafRange = leafRange((PortableModel.TreeEnsemble) model.portable().orElseThrow());

  @RepeatedTest(40)
  void predictionsAreFiniteAndWithinTheLeafValues(RepetitionInfo repetition) {
    var rng = new SplittableRandom(1000L + repetition.getCurrentRepetition());
    for (int k = 0; k < 50; k++) {
      float[] x = new float[Synthetic.WIDTH];
      for (int j = 0; j < x.length; j++) {
        x[j] = switch (rng.nextInt(8)) {
          case 0 -> 0f;
          case 1 -> 1f;
          case 2 -> (float) (rng.nextDouble() * 1e6 - 5e5);
          default -> (float) rng.nextDouble();
        };
      }
      double y = model.predict(x);
      assertThat(y).isFinite().isBetween(leafRange[0], leafRange[1]);
      assertThat(model.spread(x).orElseThrow()).isFinite().isLessThanOrEqualTo(leafRange[1] - leafRange[0]);
    }
  }

  private static double[] leafRange(PortableModel.TreeEnsemble e) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    int[] feature = e.feature();
    double[] value = e.value();
    for (int n = 0; n < feature.length; n++) {
      if (feature[n] < 0) {
        lo = Math.min(lo, value[n]);
        hi = Math.max(hi, value[n]);
      }
    }
    return new double[] {lo, hi};
  }
}
