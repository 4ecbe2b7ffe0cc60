package dev.tuner.serving;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code String.format(Locale.ROOT, "%.Nf", x)} without a {@link java.util.Formatter}: the explanations of a
 * prediction are formatted once per candidate of a recommendation (ten thousand of them), where parsing the pattern
 * and looking up the locale's symbols cost more than the prediction. Like the formatter, it rounds the shortest
 * decimal form of {@code x} half up.
 */
final class Fixed {
  private Fixed() {}

  static String of(double x, int decimals) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    return new BigDecimal(Double.toString(x)).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }
}
