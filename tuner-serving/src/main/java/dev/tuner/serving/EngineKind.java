package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Vendors;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A serving engine family. Ollama runs llama.cpp underneath and is read as {@link #LLAMA_CPP}; the backend (CUDA,
 * Metal, ROCm, Vulkan) is kept separately in {@link Engine#backend()}. Each names the GPU vendors it runs on
 * (data/SOURCES.md {@code doc_engine_platforms}): llama.cpp all four; vLLM NVIDIA (CUDA), AMD (ROCm), Intel (XPU) and
 * Apple silicon (the vLLM-Metal plugin); SGLang NVIDIA, AMD and Intel GPUs (and NPUs, TPUs and CPUs no catalog device
 * is) and, through its MLX backend, Apple silicon; TensorRT-LLM NVIDIA GPUs only; LMDeploy's TurboMind NVIDIA GPUs
 * (its PyTorch engine adds Ascend NPUs); MLX Apple silicon and, through its CUDA backend, NVIDIA GPUs.
 */
public enum EngineKind {
  LLAMA_CPP("llama.cpp", List.of("NVIDIA", "AMD", "Apple", "Intel")),
  VLLM("vllm", List.of("NVIDIA", "AMD", "Apple", "Intel")),
  SGLANG("sglang", List.of("NVIDIA", "AMD", "Apple", "Intel")),
  TENSORRT_LLM("tensorrt-llm", List.of("NVIDIA")),
  LMDEPLOY("lmdeploy", List.of("NVIDIA")),
  MLX("mlx", List.of("Apple", "NVIDIA"));

  /**
   * ggml's block types (Q4_0, Q5_K, Q4_K_M, IQ2_XS, TQ1_0 …) and llama.cpp's MXFP4 MoE files (their rest in Q8_0):
   * only GGUF files carry them, which TensorRT-LLM and LMDeploy do not load. MXFP4 experts beside 16-bit tensors
   * (MXFP4_EXPERTS_F16) are not among them: that is how the gpt-oss checkpoints themselves ship.
   */
  private static final Pattern GGML_BLOCK = Pattern.compile("(?i)(I?Q|TQ)\\d(_\\w+)?|MXFP4_MOE");

  private final String id;
  private final List<String> vendors;

  EngineKind(String id, List<String> vendors) {
    this.id = id;
    this.vendors = vendors;
  }

  /** Whether the engine runs on {@code device}'s vendor ({@link Vendors#among}: another vendor is not judged). */
  public boolean runsOn(DeviceSpec device) {
    return Vendors.among(vendors, device);
  }

  /**
   * Whether the engine loads weights in {@code quant}'s format (data/SOURCES.md {@code doc_engine_weight_formats}):
   * llama.cpp loads GGUF files, whose types are ggml's, none of the formats only checkpoints carry ({@link
   * Quantization#checkpointOnly}: AWQ, GPTQ, INT8, FP8, NVFP4, MLC's q4f16_1); TensorRT-LLM and LMDeploy load
   * checkpoints (FP16/BF16, FP8, FP4, AWQ, GPTQ, INT8), never ggml's block types; vLLM, SGLang and MLX are not judged
   * (vLLM also loads GGUF).
   */
  public boolean loads(Quantization quant) {
    return switch (this) {
      case LLAMA_CPP -> !quant.checkpointOnly();
      case TENSORRT_LLM, LMDEPLOY -> !ggmlType(quant);
      case VLLM, SGLANG, MLX -> true;
    };
  }

  /**
   * Whether the engine runs a KV cache of {@code type} (data/SOURCES.md {@code doc_engine_kv_cache_types}): llama.cpp's
   * cache types are ggml's (f16, q8_0, q4_0 …), no FP8; vLLM's and SGLang's {@code --kv-cache-dtype} are 16-bit or
   * FP8, no 8- or 4-bit integer blocks; TensorRT-LLM (INT8 and FP8 caches), LMDeploy (INT8 and INT4) and MLX are not
   * judged.
   */
  public boolean runsKvCache(KvCacheType type) {
    return switch (this) {
      case LLAMA_CPP -> type != KvCacheType.FP8;
      case VLLM, SGLANG -> type == KvCacheType.F16 || type == KvCacheType.FP8;
      case TENSORRT_LLM, LMDEPLOY, MLX -> true;
    };
  }

  /** The KV-cache types {@link #runsKvCache} allows, for messages. */
  String kvCacheTypes() {
    return String.join(", ", Arrays.stream(KvCacheType.values()).filter(this::runsKvCache)
        .map(KvCacheType::id).toList());
  }

  /** Whether {@code quant} is one of ggml's block types, which only GGUF files carry. */
  static boolean ggmlType(Quantization quant) {
    return GGML_BLOCK.matcher(quant.name()).matches();
  }

  /**
   * Whether tensor parallelism shards whole attention heads, so that a split must give every rank whole heads
   * ({@link dev.tuner.core.scenario.ParallelLayout#whyNotSharded}): vLLM, SGLang, TensorRT-LLM and LMDeploy on GPUs
   * (vLLM refuses with "Total number of attention heads (N) must be divisible by tensor parallel size",
   * vllm-project/vllm#11797 closed as not planned; SGLang pads heads on CPUs only, sgl-project/sglang#6771;
   * data/SOURCES.md {@code doc_tp_head_divisibility}). llama.cpp splits matrix rows, not heads, and MLX is not judged.
   */
  public boolean shardsAttentionHeads() {
    return this == VLLM || this == SGLANG || this == TENSORRT_LLM || this == LMDEPLOY;
  }

  /**
   * Whether the engine runs attention data-parallel inside one model instance (data/SOURCES.md
   * {@code doc_attention_dp}): SGLang's {@code --enable-dp-attention} ("DP for attention, TP for FFN") and
   * TensorRT-LLM's {@code enable_attention_dp}. vLLM's data parallelism makes whole engine replicas (expert
   * parallelism can place the experts over them), which a layout's replicas and {@code ep} already state.
   */
  public boolean runsAttentionDataParallel() {
    return this == SGLANG || this == TENSORRT_LLM;
  }

  /**
   * Whether the engine places a mixture of experts' experts over GPUs (expert parallelism): every engine but llama.cpp,
   * whose split modes (by layer, {@code -sm layer}, or by rows, {@code -sm row}) place each layer's experts with the
   * layer or its rows: tokens never travel to the GPU of their experts.
   */
  public boolean runsExpertParallel() {
    return this != LLAMA_CPP;
  }

  /**
   * Whether the engine keeps one micro-batch of its running requests in flight per pipeline stage, so that the stages
   * work at once on different requests (data/SOURCES.md {@code doc_pipeline_micro_batches}): vLLM (V0's virtual
   * engines, one scheduler and cache share per stage; V1's queue of as many scheduled batches as stages), SGLang (its
   * pipeline-parallel micro-batches) and TensorRT-LLM (its in-flight batching runs as many micro-batches as pipeline
   * stages, each up to the maximum batch size). llama.cpp overlaps its stages only over the n_ubatch chunks of one
   * iteration ({@link InstanceFigures#pipelineChunk}); LMDeploy and MLX are not judged and pass their stages one after
   * another.
   */
  public boolean overlapsPipelineStages() {
    return this == VLLM || this == SGLANG || this == TENSORRT_LLM;
  }

  /** The engines that run on {@code device}, for messages. */
  public static String runningOn(DeviceSpec device) {
    return String.join(", ", Arrays.stream(values()).filter(k -> k.runsOn(device)).map(EngineKind::id)
        .toList());
  }

  public String id() {
    return id;
  }

  static final String ALLOWED = "llama.cpp, ollama, vllm, sglang, tensorrt-llm (trtllm), lmdeploy (turbomind) or mlx";

  /** The names and aliases sources write, each a whole word at the start of the text ({@link #parse}). */
  private static final Pattern NAMED = Pattern.compile(
      "(?s)(llama\\.cpp|llama-cpp|llamacpp|ollama|vllm|sglang|tensorrt[-_]llm|trt-?llm|lmdeploy|turbomind|mlx)(.*)");
  /**
   * What may follow the name: a part after a separator ("LMDeploy (TurboMind)", sglang bench_serving's
   * "sglang-oai"), a version ("vllm 0.6.3", "TensorRT-LLM v0.20") or a word {@link Backend#parse} reads ("llama.cpp
   * CUDA"). More letters ("vllmx") or other words ("vllm is great") are a typo, not an engine.
   */
  private static final Pattern QUALIFIED = Pattern.compile(
      "(?s)\\s*[^\\p{L}\\p{N}\\s].*|\\s+v?\\d.*|\\s+([\\p{L}\\p{N}]+).*");

  /**
   * The engine a free text names: an id above or the way sources write it ("TensorRT-LLM (trtllm-serve, PyTorch
   * backend)", "vLLM (rocm/vllm docker)", "LMDeploy (TurboMind)", "llama.cpp CUDA", "Ollama"), optionally followed by
   * a version or backend.
   */
  public static EngineKind parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher named = NAMED.matcher(t);
    if (!named.matches() || !qualifies(named.group(2))) {
      throw new InvalidInputException("engine", String.valueOf(text), ALLOWED + ", alone or followed by a version,"
          + " a backend or a part after a separator (vllm 0.8.4, llama.cpp CUDA, LMDeploy (TurboMind))");
    }
    return switch (named.group(1)) {
      case "llama.cpp", "llama-cpp", "llamacpp", "ollama" -> LLAMA_CPP;
      case "vllm" -> VLLM;
      case "sglang" -> SGLANG;
      case "lmdeploy", "turbomind" -> LMDEPLOY;
      case "mlx" -> MLX;
      default -> TENSORRT_LLM;
    };
  }

  /** Whether {@code rest}, the text after an engine's name, is nothing or what {@link #QUALIFIED} allows. */
  private static boolean qualifies(String rest) {
    Matcher m = QUALIFIED.matcher(rest);
    return rest.isEmpty() || m.matches() && (m.group(1) == null || Backend.parse(m.group(1)) != Backend.UNKNOWN);
  }
}
