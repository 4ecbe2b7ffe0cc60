package dev.tuner.api;

/** A value given by a user or a file is outside what tuner accepts. Names the field, the value and what is allowed. */
public class InvalidInputException extends TunerException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String value;
  private final String allowed;

  public InvalidInputException(String field, String value, String allowed) {
    super(field + " = " + value + " is invalid: expected " + allowed);
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }

  public InvalidInputException(String field, double value, String allowed) {
    this(field, format(value), allowed);
  }

  public String field() {
    return field;
  }

  public String value() {
    return value;
  }

  public String allowed() {
    return allowed;
  }

  private static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** Checks that {@code v} is finite and in {@code [min, max]}; returns it. */
  public static double requireInRange(String field, double v, double min, double max, String unit) {
    if (!Double.isFinite(v) || v < min || v > max) {
      throw new InvalidInputException(
          field, v, "a finite number in [" + format(min) + ", " + format(max) + "]" + (unit.isEmpty() ? "" : " " + unit));
    }
    return v;
  }

  /** Checks that {@code v} is in {@code [min, max]}; returns it. */
  public static int requireInRange(String field, int v, int min, int max, String unit) {
    if (v < min || v > max) {
      throw new InvalidInputException(
          field, Integer.toString(v), "an integer in [" + min + ", " + max + "]" + (unit.isEmpty() ? "" : " " + unit));
    }
    return v;
  }
}
