package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FixedTest {
  @Test
  void roundsTheShortestDecimalFormHalfUp() {
    // 0.15 is 0.1499999999999999944… in binary, but its shortest form "0.15" rounds up, as the formatter does
    assertThat(Fixed.of(0.15, 1)).isEqualTo("0.2");
    assertThat(Fixed.of(2.675, 2)).isEqualTo("2.68");
    assertThat(Fixed.of(8.0 / 3, 1)).isEqualTo("2.7");
    assertThat(Fixed.of(3889.4, 0)).isEqualTo("3889");
    assertThat(Fixed.of(1e21, 0)).isEqualTo("1000000000000000000000");
    assertThat(Fixed.of(Double.POSITIVE_INFINITY, 1)).isEqualTo("Infinity");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void agreesWithTheFormatter(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 20_000; i++) {
      // plain values of every magnitude, values next to a tie (k + 0.05, k + 0.25), and ratios of integers
      double x = switch (i % 3) {
        case 0 -> random.nextDouble() * Math.pow(10, random.nextInt(12) - 3);
        case 1 -> (random.nextInt(100_000) + 0.05 * (1 + 2 * random.nextInt(10))) / Math.pow(10, random.nextInt(4));
        default -> random.nextInt(5000) / (double) (1 + random.nextInt(64));
      };
      for (int decimals = 0; decimals <= 3; decimals++) {
        assertThat(Fixed.of(x, decimals)).as("%s to %d decimals", x, decimals)
            .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", x));
      }
    }
  }
}
