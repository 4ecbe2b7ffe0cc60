package dev.tuner.serving;

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

  public Engine withLimits(EngineLimits l) {
    return new Engine(kind, backend, version, l);
  }

  /** "vllm 0.8.4", "llama.cpp (CUDA)". */
  public String describe() {
    return kind.id() + (backend.isEmpty() ? "" : " (" + backend + ")") + (version.isEmpty() ? "" : " " + version);
  }
}
