package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import dev.tuner.core.ingest.RejectReason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Arithmetic on printed figures shared by the parsers: reading them, and what they imply within print precision. */
final class Figures {
  /** {@code Label: value} lines of console reports; the label ends at the first colon followed by blanks. */
  static final Pattern LABELLED = Pattern.compile("^\\s*([^:]+?)\\s*:\\s+(\\S.*?)\\s*$");
  private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");
  /** How far two figures of one quantity may differ (rounded prints, timing of the last token) before they clash. */
  static final double TOLERANCE = 0.01;

  private Figures() {}

  /** A label as a key: lower case, blanks collapsed. */
  static String key(String label) {
    return label.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }

  /** The number at the start of {@code value} (units after it are ignored); a rejection naming the label otherwise. */
  static BigDecimal number(String label, String value) throws RecordRejected {
    Matcher m = NUMBER.matcher(value.strip());
    if (!m.lookingAt()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, label + " = \"" + value.strip() + "\" is not a number");
    }
    return new BigDecimal(m.group());
  }

  /** Half a unit in the last place {@code printed} shows: 0.062 → 0.0005. */
  static double halfUnit(BigDecimal printed) {
    return 0.5 * Math.pow(10, -printed.scale());
  }

  /** The one integer in [lo, hi], if exactly one lies there. */
  static OptionalLong onlyInteger(double lo, double hi) {
    long first = (long) Math.ceil(lo);
    long last = (long) Math.floor(hi);
    return first == last ? OptionalLong.of(first) : OptionalLong.empty();
  }

  /** Mean tokens per request from a total, to the nearest token. */
  static long perRequest(long total, long requests) {
    return BigDecimal.valueOf(total).divide(BigDecimal.valueOf(requests), 0, RoundingMode.HALF_UP).longValueExact();
  }

  /** A rejection when {@code a} and {@code b} differ by more than {@link #TOLERANCE} of {@code b}. */
  static void agree(double a, double b, String what) throws RecordRejected {
    if (Math.abs(a - b) > TOLERANCE * Math.abs(b)) {
      throw new RecordRejected(RejectReason.INCONSISTENT, what);
    }
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
