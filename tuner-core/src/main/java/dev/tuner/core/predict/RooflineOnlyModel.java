package dev.tuner.core.predict;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.schema.FeatureSchema;
import java.util.Locale;
import java.util.Map;

/**
 * The model of last resort and the first baseline: the roofline times a fixed efficiency per phase. The defaults
 * are the medians of measured / roofline over the shipped measurements (see {@link #SHIPPED_DECODE_EFFICIENCY});
 * a test recomputes them from the data so they cannot drift.
 */
public final class RooflineOnlyModel implements ThroughputModel {
  /** Median measured/roofline of the shipped decode rows (E2E and SUSPECT rows left out): 0.665. */
  public static final double SHIPPED_DECODE_EFFICIENCY = 0.67;
  /** Median measured/roofline of the shipped prefill rows (SUSPECT rows left out): 0.215 (INT8 peaks now bound). */
  public static final double SHIPPED_PREFILL_EFFICIENCY = 0.21;

  private final ModelInfo info;
  private final int prefillSlot;
  private final double decodeEfficiency;
  private final double prefillEfficiency;

  public RooflineOnlyModel(FeatureSchema schema, String id, double decodeEfficiency, double prefillEfficiency) {
    InvalidInputException.requireInRange("decode efficiency", decodeEfficiency, 1e-6, 1, "of the roofline");
    InvalidInputException.requireInRange("prefill efficiency", prefillEfficiency, 1e-6, 1, "of the roofline");
    this.prefillSlot = schema.indexOf("is_prefill");
    this.decodeEfficiency = decodeEfficiency;
    this.prefillEfficiency = prefillEfficiency;
    this.info = new ModelInfo(id, "roofline", schema.ref(), OutputKind.ROOFLINE_FRACTION, schema.width(),
        Map.of("decode_efficiency", String.format(Locale.ROOT, "%.4f", decodeEfficiency),
            "prefill_efficiency", String.format(Locale.ROOT, "%.4f", prefillEfficiency)),
        java.util.List.of());
  }

  public static RooflineOnlyModel shippedDefaults(FeatureSchema schema) {
    return new RooflineOnlyModel(schema, "roofline-only", SHIPPED_DECODE_EFFICIENCY, SHIPPED_PREFILL_EFFICIENCY);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] features) {
    return features[prefillSlot] > 0.5f ? prefillEfficiency : decodeEfficiency;
  }
}
