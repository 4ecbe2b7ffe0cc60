package dev.tuner.core.io;

import dev.tuner.api.InvalidInputException;

/** Reading a figure from text, with the one error every reader gives for text that is not a finite number. */
public final class Numbers {
  private Numbers() {}

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
}
