package dev.tuner.core.data;

import dev.tuner.core.scenario.ScenarioRequest;
import java.util.Locale;
import java.util.Objects;

/**
 * One measured figure as read from a file: where it came from ({@code origin} is {@code file:line}), the scenario
 * as stated, the measured tokens/s and the row's notes. The row's backend is also the scenario's (which reads the
 * compute API from it) unless the scenario states its own.
 */
public record Measurement(
    String origin, String sourceId, String backend, ScenarioRequest scenario, double tokensPerSecond, String notes) {
  public Measurement {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(scenario, "scenario");
    sourceId = sourceId == null ? "" : sourceId;
    backend = backend == null ? "" : backend;
    if (scenario.backend() == null && !backend.isEmpty()) {
      scenario = scenario.withBackendText(backend);
    }
    notes = notes == null ? "" : notes;
  }

  /** End-to-end request throughput including prefill, not pure decode (TensorRT-LLM max-throughput tables). */
  public boolean isEndToEnd() {
    return notes.toUpperCase(Locale.ROOT).contains("E2E");
  }

  /** Published but inconsistent with its own table. */
  public boolean isSuspect() {
    return notes.toUpperCase(Locale.ROOT).contains("SUSPECT");
  }

  /** Device name as given (may be null when only figures were given). */
  public String deviceName() {
    return scenario.device() != null ? scenario.device() : "custom device";
  }

  public String modelName() {
    return scenario.model() != null ? scenario.model() : "custom model";
  }
}
