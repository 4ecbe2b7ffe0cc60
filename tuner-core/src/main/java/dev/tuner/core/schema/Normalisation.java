package dev.tuner.core.schema;

import java.util.Locale;

/** Maps a raw quantity into [0, 1]. Every form clamps, so no value escapes the unit interval. */
public sealed interface Normalisation
    permits Normalisation.Linear, Normalisation.Log, Normalisation.Flag, Normalisation.OneHot {

  double apply(double raw);

  /** Canonical text, part of the schema's content hash. */
  String describe();

  /** {@code raw / max}, clamped. */
  record Linear(double max) implements Normalisation {
    @Override
    public double apply(double raw) {
      return clamp(raw / max);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "linear(max=%s)", max);
    }
  }

  /** Position of {@code raw} between {@code min} and {@code max} on a log scale, clamped; raw ≤ min gives 0. */
  record Log(double min, double max) implements Normalisation {
    @Override
    public double apply(double raw) {
      if (!(raw > min)) {
        return 0;
      }
      return clamp(Math.log(raw / min) / Math.log(max / min));
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "log(min=%s,max=%s)", min, max);
    }
  }

  /** 1 when the raw value is non-zero. */
  record Flag() implements Normalisation {
    @Override
    public double apply(double raw) {
      return raw != 0 ? 1 : 0;
    }

    @Override
    public String describe() {
      return "flag";
    }
  }

  /** 1 when the raw ordinal equals {@code index}. */
  record OneHot(int index) implements Normalisation {
    @Override
    public double apply(double raw) {
      return raw == index ? 1 : 0;
    }

    @Override
    public String describe() {
      return "one_hot(" + index + ")";
    }
  }

  private static double clamp(double v) {
    if (Double.isNaN(v)) {
      throw new IllegalStateException("normalisation produced NaN");
    }
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }
}
