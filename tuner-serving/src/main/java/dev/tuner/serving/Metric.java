package dev.tuner.serving;

import java.util.Locale;

/** The serving metrics that are predicted, scored and given intervals. */
public enum Metric {
  OUTPUT_TPS("output_tps"),
  TTFT_MS("ttft_ms"),
  TPOT_MS("tpot_ms"),
  REQUESTS_PER_S("requests_per_s");

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static Metric parse(String s) {
    for (Metric m : values()) {
      if (m.id.equals(s.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new dev.tuner.api.InvalidInputException("metric", s, "output_tps, ttft_ms, tpot_ms or requests_per_s");
  }
}
