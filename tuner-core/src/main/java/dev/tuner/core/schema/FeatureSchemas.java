package dev.tuner.core.schema;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.BlasLibrary;
import dev.tuner.core.scenario.KernelType;
import dev.tuner.core.scenario.QuantClass;
import java.util.ArrayList;
import java.util.List;

/**
 * The two shipped schemas. Both start with the reference's 42 slots in its order: 11 static, 8 quantization one-hot,
 * 16 kernel one-hot, 5 hardware, 2 derived. {@code reference-v1} has exactly those; {@code tuner-v1} appends one
 * (43 slots).
 *
 * <p>{@code reference-v1} reproduces the reference normalisation exactly, except slot 41, which the reference filled
 * from the measured label (measured / roofline) and which is 0 here, as it is at prediction time there.
 *
 * <p>{@code tuner-v1} (the default) keeps the layout but uses ranges that do not saturate on current hardware and
 * log scales where the physics is multiplicative. Three slots carry roofline physics instead: slot 9 the time one step
 * takes at the roofline (the reference's "KV caches per sequence" is always 1 in tuner; fixed per-step costs such as
 * kernel launches weigh more the shorter the step, which cross-device validation showed the forest needs to see
 * directly), slot 40 the step's real arithmetic intensity (FLOPs per byte) and slot 41 the ratio of the memory roof
 * to the compute roof. The KV-cache element size enters through the roofline. Slot 42, the last, is the step's
 * vector roof ratio: its arithmetic intensity over the device's vector FLOPs per byte (FP32 peak of the non-tensor
 * ALUs over memory bandwidth), i.e. how long the step's FLOPs take on those ALUs relative to how long its bytes take.
 * Matrix-vector decode dequantises and multiplies there, not on tensor cores, and leaving one device out at a time
 * showed that the share of the memory roof decode reaches follows this ratio (an A100, 10 FLOPs per byte, reaches a
 * much smaller share than an RTX 4090, 82), which no tensor peak tells: decode MAPE 13.8% without the slot, 13.4%
 * with the device's FLOPs per byte alone, 12.4% with this ratio. Version 2 added it; version 1 had the reference's
 * 42 slots.
 */
public final class FeatureSchemas {
  public static final String REFERENCE_V1 = "reference-v1";
  public static final String TUNER_V1 = "tuner-v1";
  public static final String TUNER_V2 = "tuner-v2";
  public static final String TUNER_V3 = "tuner-v3";
  public static final String TUNER_V4 = "tuner-v4";

  private static final FeatureSchema REFERENCE = reference();
  private static final FeatureSchema DEFAULT = tuner();
  private static final FeatureSchema MODERN = new FeatureSchema(TUNER_V2, 1,
      "tuner-v1's physics slots without the reference's kernel one-hot, plus depth, engine settings, backend,"
          + " arithmetic kind, active fraction, parallel layout, interconnect share, attention kind and a"
          + " missingness flag for every figure that may be unknown.", v2Slots());
  private static final FeatureSchema SOFTWARE = tunerV3Layout();
  private static final FeatureSchema EXPERTS = tunerV4Layout();

  private FeatureSchemas() {}

  public static FeatureSchema referenceV1() {
    return REFERENCE;
  }

  public static FeatureSchema tunerV1() {
    return DEFAULT;
  }

  /**
   * {@code tuner-v2}: {@code tuner-v1}'s slots without the reference's kernel one-hot (no measurement names one of
   * its 16 kernel variants, which are the reference tuner's own, not an engine's, so the data cannot teach them), plus
   * what the data can now teach: depth, the engine settings (n_ubatch, flash attention, backend one-hot with an
   * unknown flag), the quantization's arithmetic (one-hot over FP16/FP8/FP32/INT8/FP4), the active-parameter fraction,
   * the parallel sizes and the collectives' share of a step, the attention kind (GQA/MHA/MLA one-hot) and its window
   * and linear-layer fractions, and a missingness flag beside every device or model figure that may be unknown, so
   * that "unknown" is its own signal instead of the value 0 (or an imputed value) that trees cannot tell from a real
   * one. CUDA graphs stays a slot: rows that state it (the {@code cuda_graphs} column) teach it.
   */
  public static FeatureSchema tunerV2() {
    return MODERN;
  }

  /**
   * {@code tuner-v3}: {@code tuner-v2} plus the software a measurement ran (issue 15 §3): the month of the engine
   * build (an undated one takes {@link dev.tuner.core.scenario.BuildDate#ASSUMED_WHEN_UNKNOWN}, a typical era, rather
   * than a flag: the few undated rows are no category a model could learn), and the library of the dense matrix
   * multiplications (one-hot over the non-default ones). Builds of one engine on one device differ by more than
   * devices do: llama.cpp's Vulkan backend reached about a quarter of the memory roof in decode in early 2024 and
   * 0.6-0.8 of it from mid-2025, and on a Radeon 8060S hipBLASLt processes a dense model's prompt 3-4× faster than
   * rocBLAS (data/measurements.csv).
   */
  public static FeatureSchema tunerV3() {
    return SOFTWARE;
  }

  /**
   * {@code tuner-v4}: {@code tuner-v3} plus the rows a routed expert's GEMM multiplies in a full prompt chunk
   * ({@link Quantity#EXPERT_CHUNK_ROWS}): a mixture of experts spreads a chunk of 512 tokens over its experts, 32 rows
   * each for 8 of 128, so its prompt kernels run as small GEMMs, as a dense model's do at n_ubatch 32. It moves along
   * no physics axis (not with the prompt, the batch, bandwidth or a peak), so it is left free.
   */
  public static FeatureSchema tunerV4() {
    return EXPERTS;
  }

  public static List<FeatureSchema> all() {
    return List.of(DEFAULT, MODERN, SOFTWARE, EXPERTS, REFERENCE);
  }

  /** The ids of {@link #all()}, for messages. */
  public static String ids() {
    return String.join(", ", all().stream().map(FeatureSchema::id).toList());
  }

  public static FeatureSchema byId(String id) {
    for (FeatureSchema s : all()) {
      if (s.id().equalsIgnoreCase(id)) {
        return s;
      }
    }
    throw new InvalidInputException("schema", String.valueOf(id), "one of " + ids());
  }

  private static FeatureSchema reference() {
    List<Slot> s = new ArrayList<>();
    s.add(new Slot("model_params_b", Quantity.PARAMS_B, new Normalisation.Log(0.1, 100)));
    s.add(new Slot("hidden_dim_norm", Quantity.HIDDEN, new Normalisation.Linear(16384)));
    s.add(new Slot("num_layers_norm", Quantity.LAYERS, new Normalisation.Linear(128)));
    s.add(new Slot("num_heads_norm", Quantity.HEADS, new Normalisation.Linear(128)));
    s.add(new Slot("head_dim_norm", Quantity.HEAD_DIM, new Normalisation.Linear(256)));
    s.add(new Slot("vocab_size_log", Quantity.VOCAB, new Normalisation.Log(1, 1e6)));
    s.add(new Slot("batch_size_norm", Quantity.BATCH, new Normalisation.Linear(64)));
    s.add(new Slot("seq_len_log", Quantity.CONTEXT, new Normalisation.Log(1, 32768)));
    s.add(new Slot("cuda_graphs", Quantity.CUDA_GRAPHS, new Normalisation.Flag()));
    s.add(new Slot("kv_cache_ratio", Quantity.KV_CACHES_PER_SEQUENCE, new Normalisation.Linear(1)));
    s.add(new Slot("is_prefill", Quantity.IS_PREFILL, new Normalisation.Flag()));
    oneHots(s);
    s.add(new Slot("gpu_mem_bw_norm", Quantity.MEM_BANDWIDTH, new Normalisation.Linear(3000)));
    s.add(new Slot("gpu_compute_norm", Quantity.PEAK_TFLOPS, new Normalisation.Linear(500)));
    s.add(new Slot("gpu_sm_norm", Quantity.COMPUTE_UNITS, new Normalisation.Linear(200)));
    s.add(new Slot("gpu_l2_cache_norm", Quantity.L2_CACHE, new Normalisation.Linear(128)));
    s.add(new Slot("is_zero_copy", Quantity.ZERO_COPY, new Normalisation.Flag()));
    s.add(new Slot("arithmetic_intensity", Quantity.REFERENCE_INTENSITY, new Normalisation.Linear(10)));
    s.add(new Slot("theoretical_efficiency", Quantity.ZERO, new Normalisation.Linear(1)));
    return new FeatureSchema(REFERENCE_V1, 1,
        "The reference tuner's 42-slot layout and normalisation (slot 41 never reads the label).", s);
  }

  private static FeatureSchema tuner() {
    List<Slot> s = new ArrayList<>();
    modelShape(s);
    s.add(new Slot("batch_size_log", Quantity.BATCH, new Normalisation.Log(1, 4096)));
    s.add(new Slot("context_log", Quantity.CONTEXT, new Normalisation.Log(1, 1 << 20)));
    s.add(new Slot("cuda_graphs", Quantity.CUDA_GRAPHS, new Normalisation.Flag()));
    s.add(new Slot("roof_step_seconds_log", Quantity.ROOF_STEP_SECONDS, new Normalisation.Log(1e-6, 100)));
    s.add(new Slot("is_prefill", Quantity.IS_PREFILL, new Normalisation.Flag()));
    oneHots(s);
    s.add(new Slot("mem_bandwidth_log", Quantity.MEM_BANDWIDTH, new Normalisation.Log(10, 20_000)));
    s.add(new Slot("peak_tflops_log", Quantity.PEAK_TFLOPS, new Normalisation.Log(0.1, 20_000)));
    s.add(new Slot("compute_units_log", Quantity.COMPUTE_UNITS, new Normalisation.Log(1, 1024)));
    s.add(new Slot("l2_cache_mb", Quantity.L2_CACHE, new Normalisation.Linear(512)));
    s.add(new Slot("is_zero_copy", Quantity.ZERO_COPY, new Normalisation.Flag()));
    s.add(new Slot("arithmetic_intensity_log", Quantity.ARITHMETIC_INTENSITY, new Normalisation.Log(0.01, 1e5)));
    s.add(new Slot("memory_to_compute_roof_log", Quantity.ROOF_RATIO, new Normalisation.Log(1e-4, 1e4)));
    s.add(new Slot("vector_roof_ratio_log", Quantity.VECTOR_ROOF_RATIO, new Normalisation.Log(1e-4, 1e4)));
    return new FeatureSchema(TUNER_V1, 2,
        "tuner's default: the reference layout with non-saturating ranges and physics-derived slots 40 and 41, plus"
            + " slot 42, the step's FLOPs on the non-tensor ALUs relative to its bytes.", s);
  }

  private static List<Slot> v2Slots() {
    List<Slot> s = new ArrayList<>();
    modelShape(s);
    s.add(new Slot("model_shape_missing", Quantity.MODEL_SHAPE_MISSING, new Normalisation.Flag()));
    s.add(new Slot("active_fraction", Quantity.ACTIVE_FRACTION, new Normalisation.Linear(1)));
    List<String> attention = List.of("gqa", "mha", "mla");
    for (int i = 0; i < attention.size(); i++) {
      s.add(new Slot("attention_" + attention.get(i), Quantity.ATTENTION_KIND, new Normalisation.OneHot(i)));
    }
    s.add(new Slot("local_layer_fraction", Quantity.LOCAL_LAYER_FRACTION, new Normalisation.Linear(1)));
    s.add(new Slot("linear_layer_fraction", Quantity.LINEAR_LAYER_FRACTION, new Normalisation.Linear(1)));
    s.add(new Slot("batch_size_log", Quantity.BATCH, new Normalisation.Log(1, 4096)));
    s.add(new Slot("context_log", Quantity.CONTEXT, new Normalisation.Log(1, 1 << 20)));
    s.add(new Slot("depth_log", Quantity.DEPTH, new Normalisation.Log(1, 1 << 20)));
    s.add(new Slot("is_prefill", Quantity.IS_PREFILL, new Normalisation.Flag()));
    s.add(new Slot("n_ubatch_log", Quantity.N_UBATCH, new Normalisation.Log(1, 1 << 16)));
    s.add(new Slot("flash_attention", Quantity.FLASH_ATTENTION, new Normalisation.Flag()));
    s.add(new Slot("cuda_graphs", Quantity.CUDA_GRAPHS, new Normalisation.Flag()));
    for (Backend b : Backend.values()) {
      if (b != Backend.UNKNOWN) {
        s.add(new Slot("backend_" + b.id(), Quantity.BACKEND, new Normalisation.OneHot(b.ordinal())));
      }
    }
    s.add(new Slot("backend_unknown", Quantity.BACKEND_UNKNOWN, new Normalisation.Flag()));
    quantOneHots(s);
    for (Activation a : Activation.values()) {
      s.add(new Slot("arithmetic_" + a.name().toLowerCase(java.util.Locale.ROOT), Quantity.ACTIVATION,
          new Normalisation.OneHot(a.ordinal())));
    }
    s.add(new Slot("mem_bandwidth_log", Quantity.MEM_BANDWIDTH, new Normalisation.Log(10, 20_000)));
    s.add(new Slot("peak_tflops_log", Quantity.PEAK_TFLOPS, new Normalisation.Log(0.1, 20_000)));
    s.add(new Slot("fp16_peak_missing", Quantity.FP16_PEAK_MISSING, new Normalisation.Flag()));
    s.add(new Slot("fp32_peak_missing", Quantity.FP32_PEAK_MISSING, new Normalisation.Flag()));
    s.add(new Slot("int8_peak_missing", Quantity.INT8_PEAK_MISSING, new Normalisation.Flag()));
    s.add(new Slot("compute_units_log", Quantity.COMPUTE_UNITS, new Normalisation.Log(1, 1024)));
    s.add(new Slot("compute_units_missing", Quantity.COMPUTE_UNITS_MISSING, new Normalisation.Flag()));
    s.add(new Slot("l2_cache_mb", Quantity.L2_CACHE, new Normalisation.Linear(512)));
    s.add(new Slot("l2_missing", Quantity.L2_MISSING, new Normalisation.Flag()));
    s.add(new Slot("is_zero_copy", Quantity.ZERO_COPY, new Normalisation.Flag()));
    s.add(new Slot("devices_log", Quantity.DEVICES, new Normalisation.Log(1, 4096)));
    s.add(new Slot("tp_log", Quantity.TENSOR_PARALLEL, new Normalisation.Log(1, 4096)));
    s.add(new Slot("pp_log", Quantity.PIPELINE_PARALLEL, new Normalisation.Log(1, 4096)));
    s.add(new Slot("ep_log", Quantity.EXPERT_PARALLEL, new Normalisation.Log(1, 4096)));
    s.add(new Slot("interconnect_share", Quantity.INTERCONNECT_SHARE, new Normalisation.Linear(1)));
    s.add(new Slot("interconnect_missing", Quantity.INTERCONNECT_MISSING, new Normalisation.Flag()));
    s.add(new Slot("roof_step_seconds_log", Quantity.ROOF_STEP_SECONDS, new Normalisation.Log(1e-6, 100)));
    s.add(new Slot("arithmetic_intensity_log", Quantity.ARITHMETIC_INTENSITY, new Normalisation.Log(0.01, 1e5)));
    s.add(new Slot("memory_to_compute_roof_log", Quantity.ROOF_RATIO, new Normalisation.Log(1e-4, 1e4)));
    s.add(new Slot("vector_roof_ratio_log", Quantity.VECTOR_ROOF_RATIO, new Normalisation.Log(1e-4, 1e4)));
    return s;
  }

  private static FeatureSchema tunerV3Layout() {
    List<Slot> s = v2Slots();
    s.add(new Slot("build_month", Quantity.BUILD_MONTH, new Normalisation.Linear(240)));
    for (BlasLibrary b : BlasLibrary.values()) {
      if (b != BlasLibrary.DEFAULT) {
        s.add(new Slot("blas_" + b.id(), Quantity.BLAS, new Normalisation.OneHot(b.ordinal())));
      }
    }
    return new FeatureSchema(TUNER_V3, 1,
        "tuner-v2 plus the engine build's month (2024-05 when undated) and the dense-GEMM library.", s);
  }

  private static FeatureSchema tunerV4Layout() {
    List<Slot> s = new ArrayList<>(tunerV3Layout().slots());
    s.add(new Slot("expert_chunk_rows_log", Quantity.EXPERT_CHUNK_ROWS, new Normalisation.Log(0.01, 1 << 20)));
    return new FeatureSchema(TUNER_V4, 1,
        "tuner-v3 plus the rows a routed expert's GEMM multiplies in a full prompt chunk.", s);
  }

  /** tuner's model-shape slots, the first six of tuner-v1 and tuner-v2. */
  private static void modelShape(List<Slot> s) {
    s.add(new Slot("model_params_b", Quantity.PARAMS_B, new Normalisation.Log(0.1, 2000)));
    s.add(new Slot("hidden_dim", Quantity.HIDDEN, new Normalisation.Linear(65536)));
    s.add(new Slot("num_layers", Quantity.LAYERS, new Normalisation.Linear(512)));
    s.add(new Slot("num_heads", Quantity.HEADS, new Normalisation.Linear(512)));
    s.add(new Slot("head_dim", Quantity.HEAD_DIM, new Normalisation.Linear(1024)));
    s.add(new Slot("vocab_size_log", Quantity.VOCAB, new Normalisation.Log(1, 1e7)));
  }

  /** One slot per quantization class. */
  private static void quantOneHots(List<Slot> s) {
    for (QuantClass q : QuantClass.values()) {
      s.add(new Slot("quant_" + q.name().toLowerCase(java.util.Locale.ROOT), Quantity.QUANT_CLASS,
          new Normalisation.OneHot(q.ordinal())));
    }
  }

  private static void oneHots(List<Slot> s) {
    quantOneHots(s);
    for (KernelType k : KernelType.values()) {
      s.add(new Slot("kernel_" + k.id().replace('-', '_'), Quantity.KERNEL, new Normalisation.OneHot(k.ordinal())));
    }
  }
}
