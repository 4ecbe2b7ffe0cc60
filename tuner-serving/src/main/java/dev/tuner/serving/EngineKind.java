package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * A serving engine family. Ollama runs llama.cpp underneath and is read as {@link #LLAMA_CPP}; the backend (CUDA,
 * Metal, ROCm, Vulkan) is kept separately in {@link Engine#backend()}.
 */
public enum EngineKind {
  LLAMA_CPP("llama.cpp"),
  VLLM("vllm"),
  SGLANG("sglang"),
  TENSORRT_LLM("tensorrt-llm"),
  LMDEPLOY("lmdeploy"),
  MLX("mlx");

  private final String id;

  EngineKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  static final String ALLOWED = "llama.cpp, ollama, vllm, sglang, tensorrt-llm (trtllm), lmdeploy (turbomind) or mlx";

  /**
   * The engine a free text names: an id above or the way sources write it ("TensorRT-LLM (trtllm-serve, PyTorch
   * backend)", "vLLM (rocm/vllm docker)", "LMDeploy (TurboMind)", "llama.cpp CUDA", "Ollama").
   */
  public static EngineKind parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("llama.cpp") || t.startsWith("llama-cpp") || t.startsWith("llamacpp") || t.startsWith("ollama")) {
      return LLAMA_CPP;
    }
    if (t.startsWith("vllm")) {
      return VLLM;
    }
    if (t.startsWith("sglang")) {
      return SGLANG;
    }
    if (t.startsWith("tensorrt-llm") || t.startsWith("tensorrt_llm") || t.startsWith("trtllm")
        || t.startsWith("trt-llm")) {
      return TENSORRT_LLM;
    }
    if (t.startsWith("lmdeploy") || t.startsWith("turbomind")) {
      return LMDEPLOY;
    }
    if (t.startsWith("mlx")) {
      return MLX;
    }
    throw new InvalidInputException("engine", String.valueOf(text), ALLOWED);
  }
}
