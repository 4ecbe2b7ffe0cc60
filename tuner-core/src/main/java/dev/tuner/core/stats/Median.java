package dev.tuner.core.stats;

import java.util.Arrays;

/**
 * The median every part of tuner reports and calibrates with: the middle value, or the mean of the two middle values
 * of an even count. One home, so that training, calibration and evaluation cannot drift apart in what they call it.
 */
public final class Median {
  private Median() {}

  /** The median of {@code values} (not modified), {@code whenEmpty} when there are none. */
  public static double of(double[] values, double whenEmpty) {
    if (values.length == 0) {
      return whenEmpty;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
