package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What {@link ServingRecommender} searches: one model on one device type for one workload's lengths, over engines,
 * precisions, device counts and concurrencies, under optional TTFT and TPOT budgets (milliseconds) and an optional
 * price per GPU-hour (USD; there are no built-in prices).
 */
public record ServingRequest(
    ModelSpec model, DeviceSpec device, Lengths input, Lengths output, List<Engine> engines,
    List<Quantization> quants, List<Integer> deviceCounts, List<Integer> concurrencies, OptionalDouble maxTtftMs,
    OptionalDouble maxTpotMs, OptionalDouble gpuHourUsd) {
  public ServingRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(input, "input lengths");
    Objects.requireNonNull(output, "output lengths");
    engines = nonEmpty("engines", engines);
    quants = nonEmpty("precisions", quants);
    deviceCounts = nonEmpty("device counts", deviceCounts);
    concurrencies = nonEmpty("concurrencies", concurrencies);
    deviceCounts.forEach(n -> requireInRange("device count", n, 1, 4096, "GPUs"));
    concurrencies.forEach(c -> requireInRange("concurrency", c, 1, 1_000_000, "requests in flight"));
    maxTtftMs.ifPresent(v -> requireInRange("max TTFT", v, 1e-3, 1e9, "milliseconds"));
    maxTpotMs.ifPresent(v -> requireInRange("max TPOT", v, 1e-3, 1e9, "milliseconds"));
    gpuHourUsd.ifPresent(v -> requireInRange("price per GPU-hour", v, 1e-6, 1e6, "USD"));
  }

  private static <T> List<T> nonEmpty(String field, List<T> list) {
    if (list == null || list.isEmpty()) {
      throw new InvalidInputException(field, "none", "at least one");
    }
    return List.copyOf(list);
  }

  /** Candidates in the grid. */
  public long size() {
    long layouts = deviceCounts.stream().mapToLong(n -> ServingRecommender.layouts(n, model.moe().isMoe()).size())
        .sum();
    return (long) engines.size() * quants.size() * layouts * concurrencies.size();
  }
}
