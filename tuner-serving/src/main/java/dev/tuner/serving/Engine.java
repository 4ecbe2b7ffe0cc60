package dev.tuner.serving;

import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.Objects;

/**
 * A serving engine: its family, the compute backend where the source names one ("CUDA", "Metal", "ROCm"; empty
 * when unknown), its version as stated (empty when unknown) and the settings it runs with.
 */
public record Engine(EngineKind kind, String backend, String version, EngineLimits limits) {
  public Engine {
    Objects.requireNonNull(kind, "engine");
    backend = backend == null ? "" : backend.trim();
    version = version == null ? "" : version.trim();
    Objects.requireNonNull(limits, "engine limits");
  }

  /**
   * The compute backend the engine runs on {@code device}: the one its backend text names, or its family implies
   * (TensorRT-LLM is CUDA's), else the one llama.cpp usually runs there ({@link Backend#usualOn}).
   */
  public Backend backendOn(DeviceSpec device) {
    Backend stated = Backend.parse(backend.isEmpty() ? kind.id() : backend);
    return stated == Backend.UNKNOWN ? Backend.usualOn(device) : stated;
  }

  public Engine withLimits(EngineLimits l) {
    return new Engine(kind, backend, version, l);
  }

  /** "vllm 0.8.4", "llama.cpp (CUDA)". */
  public String describe() {
    return kind.id() + (backend.isEmpty() ? "" : " (" + backend + ")") + (version.isEmpty() ? "" : " " + version);
  }
}
