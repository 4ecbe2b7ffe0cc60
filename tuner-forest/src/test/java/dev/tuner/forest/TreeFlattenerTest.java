package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import smile.base.cart.OrdinalNode;
import smile.base.cart.RegressionNode;
import smile.data.type.DataTypes;
import smile.data.type.StructField;
import smile.data.type.StructType;

class TreeFlattenerTest {
  private static final StructType SCHEMA =
      new StructType(new StructField("a", DataTypes.DoubleType), new StructField("b", DataTypes.DoubleType));

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.5, 1.0 / 3, -0.1, 0.0, 1e-30, -1e-30, 123456.789, 3.4e38, -3.4e38})
  void thresholdIsTheLargestFloatNotAboveSmilesDoubleThreshold(double split) {
    float t = TreeFlattener.floatThreshold(split(1, split), SCHEMA, 2);

    assertThat((double) t).isLessThanOrEqualTo(split);
    assertThat((double) Math.nextUp(t)).isGreaterThan(split);
  }

  @Test
  void everyFloatGoesTheSameWayAsInSmile() {
    var rng = new SplittableRandom(3);
    for (int k = 0; k < 200; k++) {
      float a = (float) rng.nextDouble();
      float b = Math.nextUp(a);
      double split = ((double) a + b) / 2;
      float t = TreeFlattener.floatThreshold(split(0, split), SCHEMA, 2);
      assertThat(t).isEqualTo(a);
      for (float x : new float[] {Math.nextDown(a), a, b, Math.nextUp(b)}) {
        assertThat(x <= t).isEqualTo(x <= split);
      }
    }
  }

  @Test
  void orderedBitsKeepTheOrderOfFloats() {
    float[] sorted = {-Float.MAX_VALUE, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f, Float.MAX_VALUE};
    for (int i = 1; i < sorted.length; i++) {
      assertThat(TreeFlattener.orderedBits(sorted[i])).isGreaterThan(TreeFlattener.orderedBits(sorted[i - 1]));
      assertThat(TreeFlattener.fromOrderedBits(TreeFlattener.orderedBits(sorted[i]))).isEqualTo(sorted[i]);
    }
  }

  private static OrdinalNode split(int feature, double value) {
    return new OrdinalNode(feature, value, 1.0, 0.0, new RegressionNode(1, 0, 0, 0), new RegressionNode(1, 1, 1, 0));
  }
}
