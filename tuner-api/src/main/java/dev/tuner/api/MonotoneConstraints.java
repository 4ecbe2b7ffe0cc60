package dev.tuner.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text form of the {@value #KEY} hyper-parameter: features a trained model's raw output must be monotone in,
 * each with a direction, written {@code name:+,name:-} (+ non-decreasing, - non-increasing). A trainer that lists
 * {@value #KEY} among its {@link ModelTrainer#defaultHyperParameters()} promises to honour it by construction; the
 * host then passes the physics' directions (tokens/s never falls with more bandwidth, ...) to it.
 *
 * @since 1.2
 */
public final class MonotoneConstraints {
  /** The hyper-parameter's name. */
  public static final String KEY = "monotone";

  private MonotoneConstraints() {}

  /** Feature name to +1 or -1, in the given order; blank text gives none. */
  public static Map<String, Integer> parse(String text) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int colon = item.lastIndexOf(':');
      String name = colon < 0 ? "" : item.substring(0, colon).trim();
      String sign = colon < 0 ? "" : item.substring(colon + 1).trim();
      int direction = switch (sign) {
        case "+", "+1", "1" -> 1;
        case "-", "-1" -> -1;
        default -> 0;
      };
      if (name.isEmpty() || direction == 0 || out.put(name, direction) != null) {
        throw new InvalidInputException(KEY, item.trim(), "comma-separated feature:direction pairs, each feature"
            + " once, direction + (non-decreasing) or - (non-increasing)");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The canonical text of {@code constraints}: {@code name:+} or {@code name:-}, comma-separated, in order. */
  public static String format(Map<String, Integer> constraints) {
    List<String> pairs = new ArrayList<>();
    constraints.forEach((name, d) -> pairs.add(name + ":" + (d > 0 ? "+" : "-")));
    return String.join(",", pairs);
  }
}
