package dev.tuner.core.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MedianTest {
  @Test
  void theMiddleValueOrTheMeanOfTheTwoMiddleOnesWhateverTheOrder() {
    assertThat(Median.of(new double[] {3, 1, 2}, -1)).isEqualTo(2);
    assertThat(Median.of(new double[] {4, 1, 3, 2}, -1)).isEqualTo(2.5);
    assertThat(Median.of(new double[] {7}, -1)).isEqualTo(7);
  }

  @Test
  void noValuesGiveTheCallersFigureAndTheInputIsLeftAsItWas() {
    assertThat(Median.of(new double[0], 0.5)).isEqualTo(0.5);
    double[] v = {3, 1, 2};
    Median.of(v, 0);
    assertThat(v).containsExactly(3, 1, 2);
  }
}
