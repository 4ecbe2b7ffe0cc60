package dev.tuner.cli;

import java.util.Locale;
import java.util.OptionalDouble;

/** Number formatting for people: enough digits to compare, never a misleading long tail. */
final class Text {
  private Text() {}

  /**
   * The items of a comma-separated option, refusing an empty list and empty items ({@code --quants ,} or
   * {@code --quants Q4_0,,Q8_0}): an empty name is a typo, not a request for the default.
   */
  static java.util.List<String> listed(String option, java.util.List<String> items) {
    if (items.isEmpty() || items.stream().anyMatch(String::isBlank)) {
      throw new dev.tuner.api.InvalidInputException(option, "\"" + String.join(",", items) + "\"",
          "a comma-separated list of names, none of them empty");
    }
    return items.stream().map(String::trim).toList();
  }

  /** {@link #num(double)} of a figure, or n/a where it is undefined. */
  static String num(OptionalDouble v) {
    return v.isPresent() ? num(v.getAsDouble()) : "n/a";
  }

  /** A CSV cell of a figure: the number as a double prints, or empty where it is undefined. */
  static Object cell(OptionalDouble v) {
    return v.isPresent() ? (Object) v.getAsDouble() : "";
  }

  /** 20400, 206.3, 3.31, 0.0123: about four significant digits. */
  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "unbounded" : "-unbounded";
    }
    double a = Math.abs(v);
    if (a >= 1e7) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (a == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /**
   * A figure as it was written in a catalog: 330.3, 24, 4.84; a computed one (a config.json's parameter count, a
   * GGUF's bits per weight, the experts a step touches) to 6 significant digits, as many as a catalog figure has,
   * rather than a double's full tail (30.532110336 B params reads 30.5321). JSON keeps the full number.
   */
  static String plain(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
  }

  static String plain(OptionalDouble v) {
    return v.isPresent() ? plain(v.getAsDouble()) : "";
  }

  /** Decimal bytes (the roofline's unit, as bandwidth is in GB/s): 4.858 GB, 33.55 MB. */
  static String bytes(double b) {
    double a = Math.abs(b);
    if (a >= 1e9) {
      return num(b / 1e9) + " GB";
    }
    if (a >= 1e6) {
      return num(b / 1e6) + " MB";
    }
    if (a >= 1e3) {
      return num(b / 1e3) + " kB";
    }
    return num(b) + " B";
  }

  static String flops(double f) {
    if (f >= 1e12) {
      return num(f / 1e12) + " TFLOP";
    }
    if (f >= 1e9) {
      return num(f / 1e9) + " GFLOP";
    }
    if (f >= 1e6) {
      return num(f / 1e6) + " MFLOP";
    }
    return num(f) + " FLOP";
  }

  /** An interval as printed: {@code 90%: 20.44 to 159.2}. */
  static String interval(dev.tuner.api.Interval i) {
    return String.format(Locale.ROOT, "%.0f%%: %s to %s", 100 * i.level(), num(i.low()), num(i.high()));
  }

  static String onOff(boolean b) {
    return b ? "on" : "off";
  }
}
