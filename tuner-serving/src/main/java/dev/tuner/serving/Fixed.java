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

  /** A count of requests or clients: whole numbers as such ({@code 20 clients}), others to one decimal (a mean). */
  static String count(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : of(x, 1);
  }

  static String of(double x, int decimals) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    return new BigDecimal(Double.toString(x)).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }
}
