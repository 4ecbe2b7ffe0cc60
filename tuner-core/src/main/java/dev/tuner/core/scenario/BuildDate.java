package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.time.DateTimeException;
import java.time.YearMonth;

/**
 * The month an engine build was made, as a source dates it. Engines get faster from build to build without any change
 * of hardware (llama.cpp's Vulkan backend decodes at about a quarter of the memory roof on an RX 6700 XT in its February
 * 2024 build and at 0.6-0.8 of it on RDNA GPUs from mid-2025, data/measurements.csv), and no other field of a
 * measurement says which era of the software it ran.
 */
public final class BuildDate {
  /** The first month an engine tuner models was built in (llama.cpp's first release is of March 2023). */
  public static final YearMonth EARLIEST = YearMonth.of(2023, 1);
  /** The last month accepted: a later figure is a typing mistake, not a build. */
  public static final YearMonth LATEST = YearMonth.of(2039, 12);
  /**
   * The month a model's features take for a build nobody dated: the median month of the 1 153 dated rows of
   * data/measurements.csv when the feature was made. A typical era, not a category of its own: the few undated
   * training rows (Apple M3/M4, an MI50, TensorRT-LLM) are no pattern to learn, and a file without the column would
   * otherwise be predicted as they are.
   */
  public static final YearMonth ASSUMED_WHEN_UNKNOWN = YearMonth.of(2024, 5);

  private BuildDate() {}

  /** {@code text} as {@code YYYY-MM}; {@code field} names the input in the error. */
  public static YearMonth parse(String field, String text) {
    String t = text == null ? "" : text.trim();
    YearMonth m;
    try {
      if (!t.matches("\\d{4}-\\d{2}")) {
        throw new DateTimeException(t);
      }
      m = YearMonth.parse(t);
    } catch (DateTimeException e) {
      throw new InvalidInputException(field, "\"" + text + "\"", "a month as YYYY-MM, e.g. 2025-08");
    }
    if (m.isBefore(EARLIEST) || m.isAfter(LATEST)) {
      throw new InvalidInputException(field, t, "a month from " + EARLIEST + " to " + LATEST);
    }
    return m;
  }

  /** Months from {@link #EARLIEST}, counting it as 1, so that 0 stays free for "unknown". */
  public static int ordinal(YearMonth m) {
    return (m.getYear() - EARLIEST.getYear()) * 12 + m.getMonthValue() - EARLIEST.getMonthValue() + 1;
  }
}
