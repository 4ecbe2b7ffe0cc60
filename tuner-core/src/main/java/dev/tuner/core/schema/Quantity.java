package dev.tuner.core.schema;

/** A raw figure of a scenario (or of its roofline) that a schema slot normalises. Units are stated per constant. */
public enum Quantity {
  /** Billions of parameters. */
  PARAMS_B,
  HIDDEN,
  LAYERS,
  HEADS,
  HEAD_DIM,
  VOCAB,
  /** Concurrent sequences. */
  BATCH,
  /** Tokens of KV cache per sequence at the end of the window. */
  CONTEXT,
  CUDA_GRAPHS,
  /** The reference's "KV caches per sequence": tuner gives every sequence its own cache, so always 1. */
  KV_CACHES_PER_SEQUENCE,
  IS_PREFILL,
  /** Ordinal of the quantization class; used by one-hot slots. */
  QUANT_CLASS,
  /** Ordinal of the kernel, −1 when not given; used by one-hot slots. */
  KERNEL,
  /** GB/s. */
  MEM_BANDWIDTH,
  /** Dense TFLOPS of the arithmetic the scenario runs (the roofline's peak at the best estimate of an
   * unknown figure, not the bound's generous one). */
  PEAK_TFLOPS,
  /** SMs, CUs or GPU cores. */
  COMPUTE_UNITS,
  /** MB. */
  L2_CACHE,
  ZERO_COPY,
  /** The reference's quantization-only proxy: 2 / (its table's bytes per parameter). */
  REFERENCE_INTENSITY,
  /** FLOPs per byte moved in one step, from the roofline. */
  ARITHMETIC_INTENSITY,
  /** Seconds one step takes at the roofline with the best-estimate peak (tokens per step / tokens/s). */
  ROOF_STEP_SECONDS,
  /** Memory roof / compute roof, from the roofline, the compute roof at the best-estimate peak. */
  ROOF_RATIO,
  /**
   * The step's arithmetic intensity (FLOPs per byte) over the device's vector FLOPs per byte (vector TFLOPS × 1000 /
   * GB/s, from the roofline's vector peak): the time the step's FLOPs take on the non-tensor ALUs relative to the
   * time its bytes take. 0 when the vector peak is unknown.
   */
  VECTOR_ROOF_RATIO,
  /** Always 0: the slot the reference filled from the measured label. */
  ZERO,
  /** Tokens cached before the measured window. */
  DEPTH,
  /** The engine's physical batch (llama.cpp n_ubatch), tokens. */
  N_UBATCH,
  FLASH_ATTENTION,
  /** Ordinal of the backend ({@code Backend}); used by one-hot slots (UNKNOWN matches none). */
  BACKEND,
  /** 1 when the backend is unknown. */
  BACKEND_UNKNOWN,
  /** Ordinal of the quantization's arithmetic ({@code Activation}); used by one-hot slots. */
  ACTIVATION,
  /** Active parameters over total parameters: 1 for a dense model. */
  ACTIVE_FRACTION,
  TENSOR_PARALLEL,
  PIPELINE_PARALLEL,
  EXPERT_PARALLEL,
  DEVICES,
  /** The share of a serial step the collectives take, from the roofline (0 on one device). */
  INTERCONNECT_SHARE,
  /** 0 GQA, 1 MHA (as many KV heads as heads), 2 MLA; used by one-hot slots. */
  ATTENTION_KIND,
  /** Sliding-window layers over all layers. */
  LOCAL_LAYER_FRACTION,
  /** Linear-attention / state-space layers over all layers. */
  LINEAR_LAYER_FRACTION,
  /** 1 when the device's FP16 peak is not known (the roofline imputed it): {@link
   * dev.tuner.core.roofline.FeatureFigures#fp16Missing}. */
  FP16_PEAK_MISSING,
  /** 1 when the device's FP32 vector peak is not known. */
  FP32_PEAK_MISSING,
  /** 1 when the quantization computes in INT8 and the device's INT8 peak is not known. */
  INT8_PEAK_MISSING,
  /** 1 when the device's L2 size is not known. */
  L2_MISSING,
  /** 1 when the device's compute units are not known. */
  COMPUTE_UNITS_MISSING,
  /** 1 when the scenario spans several devices and their interconnect bandwidth is not known. */
  INTERCONNECT_MISSING,
  /** 1 when the model's hidden size, layers, heads or vocabulary is not known. */
  MODEL_SHAPE_MISSING,
  /**
   * Months of the engine build from January 2023 ({@code BuildDate#ordinal}, January 2023 = 1); an undated build
   * takes {@code BuildDate#ASSUMED_WHEN_UNKNOWN}.
   */
  BUILD_MONTH,
  /** Ordinal of the dense-GEMM library ({@code BlasLibrary}); used by one-hot slots. */
  BLAS,
  /**
   * The rows a routed expert's GEMM multiplies in one full prompt chunk: n_ubatch × experts per token / experts for a
   * mixture of experts, n_ubatch for a dense model (or a mixture whose routing is unknown).
   */
  EXPERT_CHUNK_ROWS
}
