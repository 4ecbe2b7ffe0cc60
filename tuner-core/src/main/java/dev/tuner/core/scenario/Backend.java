package dev.tuner.core.scenario;

import java.util.Locale;

/**
 * The compute API an engine runs its kernels on, read from a free-text backend such as "llama.cpp CUDA".
 * {@link #UNKNOWN} when the text names none (a row without a backend, or an engine name alone).
 */
public enum Backend {
  CUDA,
  METAL,
  ROCM,
  VULKAN,
  SYCL,
  CPU,
  UNKNOWN;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The backend a text names: "CUDA", "Metal", "ROCm"/"HIP", "Vulkan", "SYCL", "CPU" anywhere in it, as whole
   * words; the engines that only run on CUDA (TensorRT-LLM) are CUDA. Anything else is {@link #UNKNOWN}: a backend
   * is a fact of the measurement, not something to guess from the device.
   */
  public static Backend parse(String text) {
    if (text == null) {
      return UNKNOWN;
    }
    String t = " " + text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ") + " ";
    if (t.contains(" cuda ") || t.contains(" tensorrt llm ") || t.contains(" trt llm ")) {
      return CUDA;
    }
    if (t.contains(" metal ") || t.contains(" mps ")) {
      return METAL;
    }
    if (t.contains(" rocm ") || t.contains(" hip ")) {
      return ROCM;
    }
    if (t.contains(" vulkan ")) {
      return VULKAN;
    }
    if (t.contains(" sycl ")) {
      return SYCL;
    }
    if (t.contains(" cpu ")) {
      return CPU;
    }
    return UNKNOWN;
  }
}
