package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trained set of serving terms: {@link EngineTerms} per engine that had training rows, {@code pooled} terms fitted
 * on all rows for the engines that had none, and the interval half-widths per metric in natural-log units at
 * {@code level} (a prediction {@code v} has the interval {@code [v·e^−h, v·e^h]}), measured on rows held out of
 * the fit. {@code rows} counts the training rows per engine.
 */
public record ServingTerms(
    String id, Map<EngineKind, EngineTerms> engines, EngineTerms pooled, double level,
    Map<Metric, Double> logHalfWidth, Map<EngineKind, Integer> rows) {
  public ServingTerms {
    Objects.requireNonNull(id, "id");
    engines = engines.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(engines));
    Objects.requireNonNull(pooled, "pooled terms");
    requireInRange("interval level", level, 0.5, 0.99, "");
    for (Map.Entry<Metric, Double> e : logHalfWidth.entrySet()) {
      requireInRange("interval half-width of " + e.getKey().id(), e.getValue(), 0, 10, "natural-log units");
    }
    logHalfWidth = Map.copyOf(logHalfWidth);
    rows = Map.copyOf(rows);
  }

  /** The roofline alone: no overhead, full efficiency, no interval. */
  public static ServingTerms physicsOnly() {
    return new ServingTerms("physics-only", Map.of(), EngineTerms.PHYSICS, 0.9, Map.of(), Map.of());
  }

  /**
   * The half-width of {@code m} in {@code widths}, else that of the metric it is calibrated with ({@link
   * Metric#calibratedWith}: terms written before the median ITL had a width give it the TPOT's), else 0.
   */
  public static double halfWidth(Map<Metric, Double> widths, Metric m) {
    Double own = widths.get(m);
    return own != null ? own : widths.getOrDefault(m.calibratedWith(), 0.0);
  }

  public EngineTerms forEngine(EngineKind kind) {
    return engines.getOrDefault(kind, pooled);
  }

  public boolean learned(EngineKind kind) {
    return engines.containsKey(kind);
  }
}
