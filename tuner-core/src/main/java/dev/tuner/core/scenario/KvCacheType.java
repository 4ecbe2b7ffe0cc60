package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * Element type of the KV cache, keys and values both (llama.cpp's {@code -ctk} and {@code -ctv} set alike), and its
 * size in bytes, block scales included (q8_0 is 8.5 bits, q4_0 4.5). fp8 is the datacenter serving engines' (vLLM,
 * SGLang, TensorRT-LLM); llama.cpp has none.
 */
public enum KvCacheType {
  F16(2.0),
  FP8(1.0),
  Q8_0(8.5 / 8),
  Q4_0(4.5 / 8);

  private final double bytesPerElement;

  KvCacheType(double bytesPerElement) {
    this.bytesPerElement = bytesPerElement;
  }

  public double bytesPerElement() {
    return bytesPerElement;
  }

  /**
   * Whether llama.cpp runs this cache only with flash attention: it quantizes the V cache (ggml's block types) in the
   * flash-attention kernels alone and refuses it without them ("V cache quantization requires flash_attn",
   * ggml-org/llama.cpp issue 10378).
   */
  public boolean needsFlashAttention() {
    return this == Q8_0 || this == Q4_0;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static KvCacheType parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace("-", "_");
    switch (t) {
      case "f16":
      case "fp16":
      case "bf16":
      case "float16":
        return F16;
      case "fp8":
      case "fp8_e4m3":
      case "fp8_e5m2":
      case "f8":
        return FP8;
      case "q8_0":
      case "q8":
      case "int8":
        return Q8_0;
      case "q4_0":
      case "q4":
        return Q4_0;
      default:
        throw new InvalidInputException("kv-cache type", String.valueOf(text), "f16, fp8, q8_0 or q4_0");
    }
  }
}
