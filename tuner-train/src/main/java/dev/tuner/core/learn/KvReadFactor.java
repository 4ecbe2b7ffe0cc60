package dev.tuner.core.learn;

import dev.tuner.core.predict.Reference;
import java.util.Locale;
import java.util.Map;

/**
 * How a training run sets the decode KV-cache read factor of its {@link Reference}: none (the cache read as fast as
 * the weights), a stated factor, or {@code auto}, chosen with the step overhead from the rows it trains on only (see
 * {@link StepOverhead}), so that cross-validation scores the choice as it scores the model.
 */
public record KvReadFactor(String setting, double fixedFactor) {
  /** The hyper-parameter that sets it ({@code --set reference.kv_read_factor=auto|none|FACTOR}). */
  public static final String KEY = "reference.kv_read_factor";
  public static final String AUTO = "auto";
  public static final String NONE = "none";
  /**
   * The factors {@code auto} chooses from, fixed before any run used them: from none to the span the shipped context
   * sweeps show (a median of 1.9 on CUDA, about 5 on ROCm and 6 on Metal builds of 2024).
   */
  public static final double[] GRID = {1, 1.5, 2, 3, 4, 6};

  /** The setting in {@code hyperParameters} (none when absent). */
  public static KvReadFactor from(Map<String, String> hyperParameters) {
    String text = hyperParameters.get(KEY);
    if (text == null || text.trim().equalsIgnoreCase(NONE)) {
      return new KvReadFactor(NONE, 1);
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals(AUTO)) {
      return new KvReadFactor(AUTO, Double.NaN);
    }
    return new KvReadFactor(t, ReferenceSettings.figure(KEY, text, 1, Reference.MAX_KV_READ_FACTOR,
        "auto, none, or a factor of at least 1 and at most " + Reference.MAX_KV_READ_FACTOR + " (e.g. 2)"));
  }

  /** The factors a run may take: {@link #GRID} for {@code auto}, else the one stated (1 for none). */
  public double[] candidates() {
    return setting.equals(AUTO) ? GRID.clone() : new double[] {fixedFactor};
  }
}
