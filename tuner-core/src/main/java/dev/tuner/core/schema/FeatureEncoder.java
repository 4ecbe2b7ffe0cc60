package dev.tuner.core.schema;

import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.BuildDate;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import java.util.List;

/**
 * Turns a scenario (and its roofline) into the float vector of one schema. Stateless and thread-safe.
 *
 * <p>Each slot's normalisation is unpacked at construction into a kind and its constants, so encoding runs as one
 * loop over primitive arrays instead of one call per slot through the {@link Normalisation} interface, which has four
 * implementations and so can never be inlined. The arithmetic is {@link Normalisation#apply}'s, operation for
 * operation; the one value computed ahead, {@code log(max / min)} of a log slot, is the same double either way.
 */
public final class FeatureEncoder {
  /** Bytes per parameter of the reference's quantization table, by class ordinal (reference-v1 slot 40). */
  private static final double[] REFERENCE_BYTES = {0.5625, 0.5625, 0.5625, 0.6875, 0.8125, 1.0, 2.0, 4.0};

  private static final byte LINEAR = 0;
  private static final byte LOG = 1;
  private static final byte FLAG = 2;
  private static final byte ONE_HOT = 3;

  private final FeatureSchema schema;
  private final Quantity[] quantities;
  private final byte[] kinds;
  /** Linear: max; log: min; one-hot: the index. */
  private final double[] first;
  /** Log: log(max / min). */
  private final double[] second;

  public FeatureEncoder(FeatureSchema schema) {
    this.schema = schema;
    List<Slot> slots = schema.slots();
    int width = slots.size();
    quantities = new Quantity[width];
    kinds = new byte[width];
    first = new double[width];
    second = new double[width];
    for (int i = 0; i < width; i++) {
      quantities[i] = slots.get(i).quantity();
      Normalisation n = slots.get(i).normalisation();
      if (n instanceof Normalisation.Linear linear) {
        kinds[i] = LINEAR;
        first[i] = linear.max();
      } else if (n instanceof Normalisation.Log log) {
        kinds[i] = LOG;
        first[i] = log.min();
        second[i] = Math.log(log.max() / log.min());
      } else if (n instanceof Normalisation.Flag) {
        kinds[i] = FLAG;
      } else {
        kinds[i] = ONE_HOT;
        first[i] = ((Normalisation.OneHot) n).index();
      }
    }
  }

  public FeatureSchema schema() {
    return schema;
  }

  public int width() {
    return quantities.length;
  }

  public float[] encode(Scenario s, RooflineResult r) {
    float[] out = new float[quantities.length];
    encode(s, r, out, 0);
    return out;
  }

  /** Writes the vector into {@code out[offset .. offset + width)} without allocating. */
  public void encode(Scenario s, RooflineResult r, float[] out, int offset) {
    for (int i = 0; i < quantities.length; i++) {
      double raw = raw(quantities[i], s, r);
      double v;
      switch (kinds[i]) {
        case LINEAR:
          v = clamp(raw / first[i]);
          break;
        case LOG:
          v = raw > first[i] ? clamp(Math.log(raw / first[i]) / second[i]) : 0;
          break;
        case FLAG:
          v = raw != 0 ? 1 : 0;
          break;
        default:
          v = raw == first[i] ? 1 : 0;
          break;
      }
      out[offset + i] = (float) v;
    }
  }

  /**
   * The raw figure a quantity stands for in this scenario; 0 for unknown figures. Device peaks are the roofline's
   * best estimates ({@link RooflineResult#features}), not the generous figures its bound uses: a model given the
   * generous figure predicts too high for the device.
   */
  public static double raw(Quantity q, Scenario s, RooflineResult r) {
    switch (q) {
      case PARAMS_B:
        return s.model().paramsB();
      case HIDDEN:
        return s.model().hidden();
      case LAYERS:
        return s.model().layers();
      case HEADS:
        return s.model().heads();
      case HEAD_DIM:
        return s.model().effectiveHeadDim();
      case VOCAB:
        return s.model().vocab();
      case BATCH:
        return s.batch();
      case CONTEXT:
        return s.context();
      case CUDA_GRAPHS:
        return s.cudaGraphs() ? 1 : 0;
      case KV_CACHES_PER_SEQUENCE:
        return 1;
      case IS_PREFILL:
        return s.phase() == Phase.PREFILL ? 1 : 0;
      case QUANT_CLASS:
        return s.quant().quantClass().ordinal();
      case KERNEL:
        return s.kernel().isPresent() ? s.kernel().get().ordinal() : -1;
      case MEM_BANDWIDTH:
        return s.device().memBandwidthGBs();
      case PEAK_TFLOPS:
        return r.features().peakTflops();
      case COMPUTE_UNITS:
        return s.device().computeUnits();
      case L2_CACHE:
        return s.device().l2CacheMb().orElse(0);
      case ZERO_COPY:
        return s.zeroCopy() ? 1 : 0;
      case REFERENCE_INTENSITY:
        return Math.min(2.0 / referenceBytes(s.quant().quantClass()), 10);
      case ARITHMETIC_INTENSITY:
        return r.arithmeticIntensity();
      case ROOF_RATIO:
        return r.featureRoofRatio();
      case ROOF_STEP_SECONDS:
        return r.tokensPerStep() / r.featureTokensPerSecond();
      case VECTOR_ROOF_RATIO:
        return r.vectorTflops() > 0
            ? r.arithmeticIntensity() / (r.vectorTflops() * 1000 / s.device().memBandwidthGBs())
            : 0;
      case ZERO:
        return 0;
      case DEPTH:
        return s.depth();
      case N_UBATCH:
        return s.engine().nUbatch();
      case FLASH_ATTENTION:
        return s.engine().flashAttention() ? 1 : 0;
      case BACKEND:
        return s.engine().backend().ordinal();
      case BACKEND_UNKNOWN:
        return s.engine().backend() == Backend.UNKNOWN ? 1 : 0;
      case ACTIVATION:
        return s.quant().activation().ordinal();
      case ACTIVE_FRACTION:
        return r.detail().activeParams() / (s.model().paramsB() * 1e9);
      case TENSOR_PARALLEL:
        return s.parallel().tp();
      case PIPELINE_PARALLEL:
        return s.parallel().pp();
      case EXPERT_PARALLEL:
        return s.parallel().ep();
      case DEVICES:
        return s.parallel().devices();
      case INTERCONNECT_SHARE:
        return r.detail().interconnectShare();
      case ATTENTION_KIND:
        return attentionKind(s.model());
      case LOCAL_LAYER_FRACTION:
        return s.model().layers() > 0 ? (double) s.model().attention().localLayers() / s.model().layers() : 0;
      case LINEAR_LAYER_FRACTION:
        return s.model().layers() > 0 ? (double) s.model().attention().linearLayers() / s.model().layers() : 0;
      case FP16_PEAK_MISSING:
        return r.features().fp16Missing() ? 1 : 0;
      case FP32_PEAK_MISSING:
        return r.features().fp32Missing() ? 1 : 0;
      case INT8_PEAK_MISSING:
        return r.features().int8Missing() ? 1 : 0;
      case L2_MISSING:
        return s.device().l2CacheMb().isEmpty() ? 1 : 0;
      case COMPUTE_UNITS_MISSING:
        return s.device().computeUnits() == 0 ? 1 : 0;
      case INTERCONNECT_MISSING:
        return !s.parallel().isSingle() && s.device().interconnectGBs().isEmpty() ? 1 : 0;
      case MODEL_SHAPE_MISSING:
        ModelSpec m = s.model();
        return m.hidden() == 0 || m.layers() == 0 || m.heads() == 0 || m.vocab() == 0 ? 1 : 0;
      case BUILD_MONTH:
        return BuildDate.ordinal(s.engine().buildDate().orElse(BuildDate.ASSUMED_WHEN_UNKNOWN));
      case BLAS:
        return s.engine().blas().ordinal();
      case EXPERT_CHUNK_ROWS:
        return expertChunkRows(s);
      default:
        throw new IllegalStateException("unhandled quantity " + q);
    }
  }

  /** 0 GQA, 1 MHA (as many KV heads as heads), 2 MLA. */
  private static int attentionKind(ModelSpec m) {
    if (m.attention().kind() == AttentionKind.MLA) {
      return 2;
    }
    return m.attention().kind() == AttentionKind.MHA || (m.heads() > 0 && m.kvHeads() == m.heads()) ? 1 : 0;
  }

  /** {@link Normalisation}'s clamp, which is private to it. */
  private static double clamp(double v) {
    if (Double.isNaN(v)) {
      throw new IllegalStateException("normalisation produced NaN");
    }
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }

  static double referenceBytes(QuantClass c) {
    return REFERENCE_BYTES[c.ordinal()];
  }

  /**
   * A full prompt chunk's tokens over the share of them each routed expert receives under uniform top-k routing: a
   * mixture's expert GEMMs are as small as a dense model's at a chunk that much smaller, which is what the data on
   * dense models with small n_ubatch can teach about them.
   */
  static double expertChunkRows(Scenario s) {
    MoeSpec moe = s.model().moe();
    double ubatch = s.engine().nUbatch();
    return moe.isMoe() ? ubatch * moe.expertsPerToken() / moe.experts() : ubatch;
  }
}
