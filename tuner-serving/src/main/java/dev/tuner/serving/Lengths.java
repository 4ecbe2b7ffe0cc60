package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.Objects;

/**
 * Token lengths of requests (input or output), by the moments the composition needs: the mean (tokens, KV-cache
 * growth) and the mean square (prefill attention grows with the square of the prompt), and the largest length
 * (what a scheduler that never evicts must reserve). Fixed, normal (mean and standard deviation, cut at 1 and at
 * mean + 3 sd), uniform, or the lengths themselves.
 */
public record Lengths(String description, double mean, double meanSquare, int max) {
  public static final int MAX_LENGTH = 1 << 20;

  public Lengths {
    Objects.requireNonNull(description, "description");
    requireInRange("mean length", mean, 1, MAX_LENGTH, "tokens");
    requireInRange("largest length", max, 1, MAX_LENGTH, "tokens");
    if (meanSquare < mean * mean * (1 - 1e-9) || mean > max) {
      throw new InvalidInputException("lengths " + description, mean + " mean, " + meanSquare + " mean square",
          "a mean square at least the squared mean and a mean at most the largest length");
    }
  }

  public static Lengths fixed(int n) {
    requireInRange("length", n, 1, MAX_LENGTH, "tokens");
    return new Lengths(Integer.toString(n), n, (double) n * n, n);
  }

  /**
   * Lengths drawn uniformly from the integers {@code [low, high]}, as random-dataset benchmark tools draw them
   * (SGLang and vLLM {@code --random-range-ratio r}: low = r × high).
   */
  public static Lengths uniform(int low, int high) {
    requireInRange("lowest length", low, 1, MAX_LENGTH, "tokens");
    requireInRange("highest length", high, low, MAX_LENGTH, "tokens (at least the lowest)");
    double n = high - low + 1.0;
    double mean = (low + high) / 2.0;
    // variance of a discrete uniform over n consecutive integers: (n² − 1) / 12
    double variance = (n * n - 1) / 12.0;
    return new Lengths("uniform " + low + "-" + high, mean, variance + mean * mean, high);
  }

  /** A normal distribution's mean and standard deviation; lengths are taken as cut at mean + 3 sd. */
  public static Lengths normal(double mean, double sd) {
    requireInRange("mean length", mean, 1, MAX_LENGTH, "tokens");
    requireInRange("length spread", sd, 0, mean, "tokens (at most the mean)");
    int max = (int) Math.min(MAX_LENGTH, Math.ceil(mean + 3 * sd));
    return new Lengths(fmt(mean) + "±" + fmt(sd), mean, sd * sd + mean * mean, max);
  }

  /** The lengths themselves (a file of request lengths). */
  public static Lengths of(int[] lengths) {
    if (lengths.length == 0) {
      throw new InvalidInputException("lengths", "none", "at least one length");
    }
    double sum = 0;
    double sumSq = 0;
    int max = 0;
    for (int n : lengths) {
      requireInRange("length", n, 1, MAX_LENGTH, "tokens");
      sum += n;
      sumSq += (double) n * n;
      max = Math.max(max, n);
    }
    return new Lengths(lengths.length + " lengths", sum / lengths.length, sumSq / lengths.length, max);
  }

  /**
   * Tokens the longest request may hold: the longest prompt and the longest output (a file's longest of each may be
   * two requests, so this bounds the longest from above).
   */
  public static long longestSequence(Lengths input, Lengths output) {
    return (long) input.max() + output.max();
  }

  /**
   * Whether every request has the same length: a closed loop of such requests stays in step (see
   * {@code Composer#lockstep}).
   */
  public boolean isFixed() {
    return mean == max && meanSquare <= mean * mean * (1 + 1e-12);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
