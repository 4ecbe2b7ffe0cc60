package dev.tuner.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The least severe message a provider's native runtime (such as ONNX Runtime) may print on stderr itself, where the
 * host cannot catch it. Failures reach the host as exceptions at every level, so a command line stays quiet with
 * {@link #FATAL} and asks for more only when the user debugs.
 *
 * @since 1.2
 */
public enum NativeLogLevel {
  VERBOSE,
  INFO,
  WARNING,
  ERROR,
  FATAL;

  /** Stable name used in configuration: the constant's name in lower case. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level named {@code id} (any case), or an error naming {@code field} and the allowed names. */
  public static NativeLogLevel fromId(String field, String id) {
    for (NativeLogLevel level : values()) {
      if (level.id().equalsIgnoreCase(id.trim())) {
        return level;
      }
    }
    throw new InvalidInputException(field, "\"" + id + "\"", "one of "
        + Arrays.stream(values()).map(NativeLogLevel::id).collect(Collectors.joining(", ")));
  }
}
