package dev.tuner.core.io;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * Reading one cell of a table (a CSV field, a Spark column, an option's text), with the one error every reader gives
 * for text that is not what the cell holds.
 */
public final class Cells {
  private Cells() {}

  /** {@code text} as a finite number; otherwise an error naming {@code field} and the text. */
  public static double finite(String field, String text) {
    try {
      double v = Double.parseDouble(text.trim());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (RuntimeException e) {
      // not a number: the error below says so with the field's name
    }
    throw new InvalidInputException(field, "\"" + text + "\"", "a finite number");
  }

  /** {@code text} as a flag: true, 1 or yes; false, 0 or no (any case); otherwise an error naming {@code field}. */
  public static boolean flag(String field, String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "1":
      case "true":
      case "yes":
        return true;
      case "0":
      case "false":
      case "no":
        return false;
      default:
        throw new InvalidInputException(field, "\"" + text + "\"", "true/false or 1/0");
    }
  }
}
