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
  /** Dense TFLOPS of the arithmetic the scenario runs (the roofline's peak; imputed when unknown). */
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
  /** Seconds one step takes at the roofline (tokens per step / roofline tokens/s). */
  ROOF_STEP_SECONDS,
  /** Memory roof / compute roof, from the roofline. */
  ROOF_RATIO,
  /**
   * The step's arithmetic intensity (FLOPs per byte) over the device's vector FLOPs per byte (vector TFLOPS × 1000 /
   * GB/s, from the roofline's vector peak): the time the step's FLOPs take on the non-tensor ALUs relative to the
   * time its bytes take. 0 when the vector peak is unknown.
   */
  VECTOR_ROOF_RATIO,
  /** Always 0: the slot the reference filled from the measured label. */
  ZERO
}
