package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.Locale;

/**
 * The {@code max_batch_size} and {@code max_num_tokens} that trtllm-bench chooses for a dataset when the run does
 * not set them: its tuning heuristic ({@code calc_engine_setting} and {@code finetune_setting} in TensorRT-LLM's
 * {@code tensorrt_llm/bench/build/tuning.py}, used by {@code trtllm-bench build --dataset} and by {@code
 * trtllm-bench throughput} on the PyTorch backend; source {@code doc_trtllm_bench_tuning} in data/SOURCES.md). The
 * TensorRT-LLM performance-overview tables were measured this way, so their engines ran at these limits, not at
 * trtllm-serve's defaults.
 *
 * <p>The heuristic estimates how many requests of the dataset's mean length {@code ISL + OSL} fit a KV cache of
 * {@value #KV_FRACTION} of the memory the weights leave on the {@code tp × pp} GPUs (its own estimate: weights as
 * parameters × bytes per element, a KV head per GPU at least), caps it at {@value #MAX_REQUESTS} requests and
 * divides by {@code pp}; the token budget is that many requests × {@code (1 + ISL/OSL)} (a prompt spread over its
 * decode steps beside each decoding request), capped at {@value #MAX_TOKENS}. Both are rounded up, "slightly
 * optimistic", so the runtime's own KV cache, not the batch limit, usually binds; the budget is at least 2 048.
 */
public final class TrtllmBenchTuning {
  /** The KV-cache share of free memory the estimate assumes (calc_engine_setting's default). */
  static final double KV_FRACTION = 0.95;
  /** The cap on the batch, against oversized decoder buffers. */
  static final double MAX_REQUESTS = 4096;
  /** The cap on the token budget, against oversized activation buffers. */
  static final double MAX_TOKENS = 32768;

  private TrtllmBenchTuning() {}

  /**
   * {@code base} with the batch limit and token budget trtllm-bench chooses for requests of {@code isl} input and
   * {@code osl} output tokens on average.
   */
  public static EngineLimits limits(EngineLimits base, ModelSpec model, DeviceSpec device, Quantization quant,
      KvCacheType kv, ParallelLayout layout, double isl, double osl) {
    double requests = requests(model, device, quant, kv, layout, isl, osl);
    return base.withMaxBatch(maxBatch(requests, layout.pp())).withMaxTokensPerStep(maxTokens(requests, layout.pp(),
        isl, osl));
  }

  /**
   * Whether the catalog knows what the estimate needs: the device's memory and the model's layers, KV heads and head
   * size, with a KV cache per head (not MLA's latent).
   */
  public static boolean computable(ModelSpec model, DeviceSpec device) {
    return model.attention().kind() != AttentionKind.MLA && device.memoryGb().isPresent() && model.layers() > 0
        && model.kvHeads() > 0 && model.headDim() > 0;
  }

  /** trtllm-bench's estimate of the requests of {@code isl + osl} tokens its KV cache holds. */
  static double requests(ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kv, ParallelLayout layout,
      double isl, double osl) {
    if (model.attention().kind() == AttentionKind.MLA) {
      throw new InvalidInputException("model", model.name() + " (MLA attention)",
          "a model whose KV cache holds keys and values per KV head: trtllm-bench's tuning is modelled for those");
    }
    if (device.memoryGb().isEmpty() || model.layers() == 0 || model.kvHeads() == 0 || model.headDim() == 0) {
      throw new InvalidInputException("trtllm-bench tuning", model.name() + " on " + device.name(),
          "a device of known memory and a model of known layers, KV heads and head size");
    }
    int gpus = layout.tp() * layout.pp();
    int layers = model.layers() - model.attention().linearLayers();
    double bytesPerToken = 2.0 * layers * Math.max(layout.tp(), model.kvHeads()) * model.headDim()
        * kv.bytesPerElement();
    // in the heuristic's own units: memory and KV per token in GiB, weights as 10⁹ parameters × bytes per element
    double cache = (device.memoryGb().getAsDouble() * gpus - model.paramsB() * elementBytes(quant))
        * StepPhysics.BYTES_PER_GIB * KV_FRACTION;
    if (cache <= 0) {
      throw new InvalidInputException("layout", String.format(Locale.ROOT, "%d GPUs of %.0f GB for %.1f GB of weights",
          gpus, device.memoryGb().getAsDouble(), model.paramsB() * elementBytes(quant)), "GPUs that hold the weights");
    }
    return cache / (bytesPerToken * (isl + osl));
  }

  /**
   * Bytes per weight as trtllm-bench counts them: the element of the format (16-bit, FP8, NVFP4), block scales left
   * out. It tunes no other format.
   */
  static double elementBytes(Quantization quant) {
    if (quant.bitsPerWeight() >= 16) {
      return 2;
    }
    if (quant.activation() == Activation.FP8 && Math.floor(quant.bitsPerWeight()) == 8) {
      return 1;
    }
    if (quant.activation() == Activation.FP4 && Math.floor(quant.bitsPerWeight()) == 4) {
      return 0.5;
    }
    throw new InvalidInputException("quantization", quant.name(),
        "16-bit, FP8 or NVFP4 weights, the formats trtllm-bench's tuning covers");
  }

  /** The batch limit: the estimate per pipeline stage rounded up to 32 (at least 64), 128 or 256. */
  static int maxBatch(double requests, int pp) {
    double raw = Math.min(requests, MAX_REQUESTS) / pp;
    if (raw < 256) {
      return Math.max(64, 32 * (int) Math.ceil(raw / 32));
    }
    return raw < 1024 ? 128 * (int) Math.ceil(raw / 128) : 256 * (int) Math.ceil(raw / 256);
  }

  /**
   * The token budget: the batch's prompt and decode tokens per iteration, rounded up to 256 (at least 2 048), 512 or
   * 1 024.
   */
  static int maxTokens(double requests, int pp, double isl, double osl) {
    double raw = Math.min(Math.min(requests, MAX_REQUESTS) / pp * (1 + isl / osl), MAX_TOKENS);
    if (raw < 4096) {
      return Math.max(2048, 256 * (int) Math.ceil(raw / 256));
    }
    return raw < 8192 ? 512 * (int) Math.ceil(raw / 512) : 1024 * (int) Math.ceil(raw / 1024);
  }
}
