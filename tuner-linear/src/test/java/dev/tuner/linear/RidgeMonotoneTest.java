package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RidgeMonotoneTest {

  /**
   * y = 1 + 2·x0 − 3·x1 + 0.5·x2: asking for x1 non-decreasing contradicts the data, so x1 is dropped (weight 0) and
   * the rest refitted; x0 keeps its positive weight, and x2, unconstrained, keeps its own.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aFeatureFittedAgainstItsSignIsDropped(long seed) {
    var data = Synthetic.linear(seed, 200, 1, new double[] {2, -3, 0.5}, 0.01);
    var trained = Synthetic.train(data, seed, Map.of("monotone", "x0:+,x1:+"));
    double[] w = Synthetic.model(trained).weights();
    assertThat(w[0]).isPositive();
    assertThat(w[1]).isZero();
    assertThat(w[2]).isPositive();
    assertThat(trained.hyperParameters()).containsEntry("exclude", "x1");
  }
}
