package dev.tuner.api;

/** A prediction interval in tokens/s at a nominal coverage {@code level} (e.g. 0.9). */
public record Interval(double level, double low, double high) {
  public Interval {
    InvalidInputException.requireInRange("interval level", level, 0.5, 0.999, "");
    if (!(Double.isFinite(low) && Double.isFinite(high) && 0 <= low && low <= high)) {
      throw new InvalidInputException("interval", "[" + low + ", " + high + "]", "finite 0 <= low <= high");
    }
  }

  public boolean contains(double v) {
    return low <= v && v <= high;
  }
}
