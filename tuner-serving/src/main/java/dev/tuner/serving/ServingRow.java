package dev.tuner.serving;

import java.util.Map;
import java.util.OptionalInt;

/**
 * One published serving result that can be predicted: its scenario, the prompts of a request-rate run (for the
 * queue's end), the chip family it is grouped by in leave-one-family-out evaluation, and the observed metrics
 * (instance-wide throughput; mean latencies where stated, medians otherwise).
 */
public record ServingRow(
    String where, String sourceId, ServingScenario scenario, OptionalInt prompts, String family,
    Map<Metric, Double> observed, String note) {
  public ServingRow {
    observed = Map.copyOf(observed);
  }
}
