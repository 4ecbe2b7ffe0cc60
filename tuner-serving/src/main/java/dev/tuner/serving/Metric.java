package dev.tuner.serving;

import java.util.Locale;

/** The serving metrics that are predicted, scored and given intervals. */
public enum Metric {
  OUTPUT_TPS("output_tps"),
  TTFT_MS("ttft_ms"),
  TPOT_MS("tpot_ms"),
  REQUESTS_PER_S("requests_per_s"),
  /** The median inter-token latency: a decode iteration's, without the prompts that stall some of them. */
  ITL_MS("itl_ms");

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * The metric whose held-out errors calibrate this one's interval with its own: a prediction's requests/s is its
   * output tokens/s over the mean output length, and its median ITL one of the decode iterations its TPOT averages,
   * so each is one quantity with the other and takes its width, calibrated on both's errors, rather than one of its
   * own from the few rows of it the other families have (docs/EVALUATION.md, ninth and twenty-second serving
   * changes).
   */
  public Metric calibratedWith() {
    return switch (this) {
      case REQUESTS_PER_S -> OUTPUT_TPS;
      case ITL_MS -> TPOT_MS;
      default -> this;
    };
  }

  public static Metric parse(String s) {
    for (Metric m : values()) {
      if (m.id.equals(s.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new dev.tuner.api.InvalidInputException("metric", s,
        "output_tps, ttft_ms, tpot_ms, itl_ms or requests_per_s");
  }
}
