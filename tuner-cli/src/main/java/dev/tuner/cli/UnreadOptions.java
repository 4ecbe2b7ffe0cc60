package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

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

  /**
   * Throws for the first of the options {@code names} that the command line gave, with the value it gave: for options
   * whose default hides whether they were given.
   */
  static void refuseMatched(CommandSpec spec, String allowed, String... names) {
    ParseResult parsed = spec.commandLine().getParseResult();
    for (String name : names) {
      if (parsed.hasMatchedOption(name)) {
        OptionSpec option = parsed.matchedOption(name);
        List<String> values = option.arity().max() == 0 ? List.of("true") : option.stringValues();
        throw new InvalidInputException(name, String.join(",", values), allowed);
      }
    }
  }

  /** A flag's value for {@link #refuse}: {@code true} when given, {@code null} when not. */
  static Boolean flag(boolean given) {
    return given ? Boolean.TRUE : null;
  }
}
