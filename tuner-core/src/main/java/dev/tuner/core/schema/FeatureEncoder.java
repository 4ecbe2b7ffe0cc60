package dev.tuner.core.schema;

import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import java.util.List;

/** Turns a scenario (and its roofline) into the float vector of one schema. Stateless and thread-safe. */
public final class FeatureEncoder {
  /** Bytes per parameter of the reference's quantization table, by class ordinal (reference-v1 slot 40). */
  private static final double[] REFERENCE_BYTES = {0.5625, 0.5625, 0.5625, 0.6875, 0.8125, 1.0, 2.0, 4.0};

  private final FeatureSchema schema;
  private final Quantity[] quantities;
  private final Normalisation[] normalisations;

  public FeatureEncoder(FeatureSchema schema) {
    this.schema = schema;
    List<Slot> slots = schema.slots();
    quantities = new Quantity[slots.size()];
    normalisations = new Normalisation[slots.size()];
    for (int i = 0; i < slots.size(); i++) {
      quantities[i] = slots.get(i).quantity();
      normalisations[i] = slots.get(i).normalisation();
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
      out[offset + i] = (float) normalisations[i].apply(raw(quantities[i], s, r));
    }
  }

  /** The raw figure a quantity stands for in this scenario; 0 for unknown figures. */
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
        return s.kernel().map(Enum::ordinal).orElse(-1);
      case MEM_BANDWIDTH:
        return s.device().memBandwidthGBs();
      case PEAK_TFLOPS:
        return r.peakTflops();
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
        return r.roofRatio();
      case ROOF_STEP_SECONDS:
        return r.tokensPerStep() / r.tokensPerSecond();
      case ZERO:
        return 0;
      default:
        throw new IllegalStateException("unhandled quantity " + q);
    }
  }

  static double referenceBytes(QuantClass c) {
    return REFERENCE_BYTES[c.ordinal()];
  }
}
