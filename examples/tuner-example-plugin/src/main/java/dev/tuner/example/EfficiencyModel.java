package dev.tuner.example;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ThroughputModel;

/**
 * Predicts {@code ln(efficiency)} of the phase, as a {@link dev.tuner.api.OutputKind#LOG_ROOFLINE_FRACTION}: the host
 * turns that into {@code efficiency × roofline} tokens/s. The model never sees the physics; the host computes the
 * roofline and keeps every prediction under it. Immutable, hence safe to share between threads.
 */
final class EfficiencyModel implements ThroughputModel {
  private final ModelInfo info;
  private final int prefillSlot;
  private final double logDecode;
  private final double logPrefill;

  EfficiencyModel(ModelInfo info, int prefillSlot, double decodeEfficiency, double prefillEfficiency) {
    this.info = info;
    this.prefillSlot = prefillSlot;
    this.logDecode = Math.log(decodeEfficiency);
    this.logPrefill = Math.log(prefillEfficiency);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public double predict(float[] features) {
    // features are normalised to [0, 1]; the is_prefill flag is exactly 0 or 1
    return features[prefillSlot] > 0.5f ? logPrefill : logDecode;
  }
}
