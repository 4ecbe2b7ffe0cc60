package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import java.util.List;

/** Options a command would not read in the mode it was asked for: refused by name and value, never dropped. */
final class UnreadOptions {
  private UnreadOptions() {}

  /**
   * Throws for the first given option of {@code pairs}: option names each followed by its value, {@code null} when
   * not given (a flag passes {@code null} for off).
   */
  static void refuse(String allowed, Object... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      Object value = pairs[i + 1];
      if (value != null) {
        String shown = value instanceof List<?> l
            ? String.join(",", l.stream().map(String::valueOf).toList()) : value.toString();
        throw new InvalidInputException((String) pairs[i], shown, allowed);
      }
    }
  }

  /** A flag's value for {@link #refuse}: {@code true} when given, {@code null} when not. */
  static Boolean flag(boolean given) {
    return given ? Boolean.TRUE : null;
  }
}
