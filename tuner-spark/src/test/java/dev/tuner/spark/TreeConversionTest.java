package dev.tuner.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TreeConversionTest {
  /**
   * 0.1 as a float is 0.100000001490116..., above the double 0.1, so the threshold becomes the float below it,
   * 0.099999994039535...; 0.5 is a float already and stays; a midpoint of two floats (MLlib's thresholds) lies
   * strictly between them and becomes the lower one.
   */
  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.5, 0.3333333333333333, 1e-7, 0.99999999})
  void aThresholdBecomesTheLargestFloatNotAboveIt(double t) {
    float f = TreeConversion.floorToFloat(t);
    assertThat((double) f).isLessThanOrEqualTo(t);
    assertThat((double) Math.nextUp(f)).isGreaterThan(t);
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 4L, 5L})
  void everyFloatGoesTheSameWayAsMllibSendsItsWidenedValue(long seed) {
    var rnd = new java.util.SplittableRandom(seed);
    for (int i = 0; i < 10_000; i++) {
      float a = (float) rnd.nextDouble();
      float b = Math.nextUp(a);
      double midpoint = ((double) a + (double) b) / 2;
      float threshold = TreeConversion.floorToFloat(midpoint);
      for (float x : new float[] {a, b, Math.nextDown(a), Math.nextUp(b)}) {
        assertThat(x <= threshold).isEqualTo((double) x <= midpoint);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void hundredthHasTheHandComputedFloor() {
    // 0.1f = 13421773 * 2^-27 = 0.100000001490116...; the float below it is 13421772 * 2^-27
    assertThat(TreeConversion.floorToFloat(0.1)).isEqualTo(13421772f / (1 << 27));
  }
}
