package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.stats.Median;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a training run sets the decode step overhead of its {@link Reference}: none, a stated figure, or {@code auto},
 * chosen from the rows it trains on only, so that cross-validation scores the choice as it scores the model.
 *
 * <p>{@code auto} takes, from {@link #GRID} (fixed before any run used it), the overhead whose reference times the
 * median efficiency of the device's vendor predicts the training rows' decode tokens/s best when each chip family of
 * them is held out in turn (the lowest MAPE; the smaller overhead on a tie). With several candidate KV read factors
 * ({@link KvReadFactor}) the pair is chosen the same way (on a tie the smaller overhead, then the smaller factor),
 * since a per-layer overhead and a slower cache read both lower the reference most where a device is fast. No model
 * is trained for the choice, so it costs milliseconds, and inside an outer fold it sees that fold's training families
 * only.
 */
public record StepOverhead(String setting, double fixedSeconds) {
  /** The hyper-parameter that sets it ({@code --set reference.step_overhead=auto|none|SECONDS}). */
  public static final String KEY = "reference.step_overhead";
  public static final String AUTO = "auto";
  public static final String NONE = "none";
  /** Seconds per layer and step {@code auto} chooses from: 0 and the span of per-operator launch costs to 400 µs. */
  public static final double[] GRID = {0, 25e-6, 50e-6, 100e-6, 150e-6, 200e-6, 300e-6, 400e-6};

  /** The setting in {@code hyperParameters} (none when absent). */
  public static StepOverhead from(Map<String, String> hyperParameters) {
    String text = hyperParameters.get(KEY);
    if (text == null || text.trim().equalsIgnoreCase(NONE)) {
      return new StepOverhead(NONE, 0);
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals(AUTO)) {
      return new StepOverhead(AUTO, Double.NaN);
    }
    return new StepOverhead(t, ReferenceSettings.figure(KEY, text, 0, Reference.MAX_STEP_OVERHEAD,
        "auto, none, or seconds per layer and step between 0 and " + Reference.MAX_STEP_OVERHEAD + " (e.g. 150e-6)"));
  }

  /** The reference for a model of {@code kind} trained on {@code rows} of {@code d}, its KV cache read as fast. */
  public Reference choose(Encoded d, int[] rows, OutputKind kind) {
    return choose(d, rows, kind, new KvReadFactor(KvReadFactor.NONE, 1));
  }

  /** The reference for a model of {@code kind} trained on {@code rows} of {@code d}, with a KV read factor. */
  public Reference choose(Encoded d, int[] rows, OutputKind kind, KvReadFactor kv) {
    double[] factors = kv.candidates();
    if (!kind.usesSerialRoof()) {
      if (fixedSeconds > 0) {
        throw new InvalidInputException(KEY, setting, "none with --target " + kind.id() + "; a step overhead needs"
            + " the target " + OutputKind.LOG_SERIAL_ROOF_FRACTION.id());
      }
      if (!kv.setting().equals(KvReadFactor.AUTO) && factors[0] != 1) {
        throw new InvalidInputException(KvReadFactor.KEY, kv.setting(), "none with --target " + kind.id()
            + "; a KV read factor needs the target " + OutputKind.LOG_SERIAL_ROOF_FRACTION.id());
      }
      return Reference.of(kind);
    }
    double[] overheads = setting.equals(AUTO) ? GRID : new double[] {fixedSeconds};
    if (overheads.length == 1 && factors.length == 1) {
      return new Reference(kind, overheads[0]).withKvReadFactor(factors[0]);
    }
    int[] decode = Arrays.stream(rows).filter(i -> d.phases[i] == Phase.DECODE).toArray();
    Reference best = null;
    double bestMape = Double.POSITIVE_INFINITY;
    for (double c : overheads) {
      for (double f : factors) {
        Reference trial = new Reference(kind, c).withKvReadFactor(f);
        double mape = heldOutFamiliesMape(d, decode, trial);
        if (mape < bestMape) {
          bestMape = mape;
          best = trial;
        }
      }
    }
    return best;
  }

  /**
   * MAPE over {@code rows} of the reference times the median measured / reference of the other families' rows of the
   * same vendor (of all other families when the vendor has none), never above the roofline.
   */
  static double heldOutFamiliesMape(Encoded d, int[] rows, Reference reference) {
    Map<String, List<Integer>> byFamily = new TreeMap<>();
    for (int i : rows) {
      byFamily.computeIfAbsent(d.families[i], k -> new ArrayList<>()).add(i);
    }
    if (byFamily.size() < 2) {
      return 0;
    }
    double[] ref = new double[d.rows()];
    for (int i : rows) {
      ref[i] = d.reference(reference, i);
    }
    double sum = 0;
    for (Map.Entry<String, List<Integer>> held : byFamily.entrySet()) {
      Map<String, List<Double>> efficiency = new HashMap<>();
      List<Double> all = new ArrayList<>();
      for (int i : rows) {
        if (!d.families[i].equals(held.getKey())) {
          double e = d.measured[i] / ref[i];
          efficiency.computeIfAbsent(d.vendors[i], k -> new ArrayList<>()).add(e);
          all.add(e);
        }
      }
      for (int i : held.getValue()) {
        // with no other family to learn from, the reference stands as it is
        double e = Median.of(efficiency.getOrDefault(d.vendors[i], all).stream().mapToDouble(Double::doubleValue)
            .toArray(), 1);
        double predicted = Math.min(e * ref[i], d.roofs[i]);
        sum += Math.abs(predicted - d.measured[i]) / d.measured[i];
      }
    }
    return sum / rows.length;
  }
}
