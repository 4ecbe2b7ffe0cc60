package dev.tuner.serving;

import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A serving engine: its family, the compute backend where the source names one ("CUDA", "Metal", "ROCm"; empty
 * when unknown), its version as stated (empty when unknown), the settings it runs with, and the product it is
 * served as when that is not the engine itself ({@code ollama}, which runs llama.cpp with defaults of its own; empty
 * otherwise). The product changes no physics: it names the deployment and explains its limits.
 */
public record Engine(EngineKind kind, String backend, String version, EngineLimits limits, String product) {
  public Engine {
    Objects.requireNonNull(kind, "engine");
    backend = backend == null ? "" : backend.trim();
    // a backend named but not recognised would otherwise run as the device's usual one
    Backend.parseStated("backend", backend);
    version = version == null ? "" : version.trim();
    Objects.requireNonNull(limits, "engine limits");
    product = product == null ? "" : product.trim().toLowerCase(Locale.ROOT);
  }

  /** The engine served under its own name. */
  public Engine(EngineKind kind, String backend, String version, EngineLimits limits) {
    this(kind, backend, version, limits, "");
  }

  /**
   * The compute backend the engine runs on {@code device}: the one its backend text names, or its family implies
   * (TensorRT-LLM is CUDA's), else the one llama.cpp usually runs there ({@link Backend#usualOn}), but for an Intel GPU
   * under another engine: vLLM's and SGLang's Intel builds run oneAPI's SYCL (their XPU platform), not Vulkan.
   */
  public Backend backendOn(DeviceSpec device) {
    Backend stated = Backend.parse(backend.isEmpty() ? kind.id() : backend);
    if (stated != Backend.UNKNOWN) {
      return stated;
    }
    Backend usual = Backend.usualOn(device);
    return usual == Backend.VULKAN && kind != EngineKind.LLAMA_CPP && Backend.SYCL.runsOn(device) ? Backend.SYCL
        : usual;
  }

  /**
   * What a prediction on {@code device} says of its backend when none was stated and {@link #backendOn} took the one
   * llama.cpp usually runs there, in the step side's words ({@link Backend#assumedNote}). Only llama.cpp chooses: it
   * runs several backends on one device at different speeds (CUDA or Vulkan on an NVIDIA card), and where the step
   * model gives its terms, it predicts them for that backend. The other engines run one backend on a vendor's
   * devices (vLLM ROCm on AMD, TensorRT-LLM CUDA), so nothing was assumed for them.
   */
  public Optional<String> backendAssumption(DeviceSpec device) {
    Backend b = backendOn(device);
    return kind == EngineKind.LLAMA_CPP && backend.isEmpty() && b != Backend.UNKNOWN
        ? Optional.of(b.assumedNote(device, "Engine's backend")) : Optional.empty();
  }

  public Engine withLimits(EngineLimits l) {
    return new Engine(kind, backend, version, l, product);
  }

  /** What a user calls it: the product where there is one ({@code ollama}), else the engine's id. */
  public String name() {
    return product.isEmpty() ? kind.id() : product;
  }

  /** "vllm 0.8.4", "llama.cpp (CUDA)", "ollama (llama.cpp, Metal)". */
  public String describe() {
    String within = product.isEmpty() ? backend : kind.id() + (backend.isEmpty() ? "" : ", " + backend);
    return name() + (within.isEmpty() ? "" : " (" + within + ")") + (version.isEmpty() ? "" : " " + version);
  }
}
