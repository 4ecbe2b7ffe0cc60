package dev.tuner.serving;

import java.util.Map;

/**
 * One published serving result that can be predicted: its scenario (whose load carries the prompts of a run of
 * known length), the chip family it is grouped by in leave-one-family-out evaluation, and the observed metrics
 * (instance-wide throughput; mean latencies where stated, medians otherwise).
 */
public record ServingRow(
    String where, String sourceId, ServingScenario scenario, String family,
    Map<Metric, Double> observed, String note) {
  public ServingRow {
    observed = Map.copyOf(observed);
  }
}
