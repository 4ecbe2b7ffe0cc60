package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.scenario.Phase;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a training run sets the prefill rates of its {@link Reference} (the compute peak capped at a rate per compute
 * unit, per vendor): none, or {@code auto}, chosen from the rows it trains on only, so that cross-validation scores
 * the choice as it scores the model.
 *
 * <p>{@code auto} takes, for each vendor in turn and from {@link #GRID} (fixed before any run used it), the rate whose
 * reference times the median efficiency of the vendor predicts that vendor's prefill rows best when each chip family
 * is held out in turn ({@link StepOverhead#heldOutFamiliesMape}); no rate at all is the first candidate, and a rate
 * must do strictly better to be taken, so a vendor with rows of one family only, or rates that do not help, keeps the
 * plain roof.
 */
public record PrefillRate(boolean auto) {
  /** The hyper-parameter that sets it ({@code --set reference.prefill_rate=auto|none}). */
  public static final String KEY = "reference.prefill_rate";
  public static final String AUTO = "auto";
  public static final String NONE = "none";
  /**
   * TFLOPS per compute unit {@code auto} chooses from: from a tenth of an H100 SM's dense FP16 rate (about 7.5) to
   * above it, geometric-ish.
   */
  public static final double[] GRID = {0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 8};

  /** The setting in {@code hyperParameters} (none when absent). */
  public static PrefillRate from(Map<String, String> hyperParameters) {
    String text = hyperParameters.get(KEY);
    if (text == null) {
      return new PrefillRate(false);
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals(AUTO) || t.equals(NONE)) {
      return new PrefillRate(t.equals(AUTO));
    }
    throw new InvalidInputException(KEY, text, AUTO + " or " + NONE);
  }

  /** {@code reference} with the prefill rates chosen from {@code rows} of {@code d}. */
  public Reference choose(Encoded d, int[] rows, Reference reference) {
    if (!auto) {
      return reference;
    }
    if (!reference.kind().usesSerialRoof()) {
      throw new InvalidInputException(KEY, AUTO, NONE + " with --target " + reference.kind().id()
          + "; prefill rates need the target " + OutputKind.LOG_SERIAL_ROOF_FRACTION.id());
    }
    int[] prefill = Arrays.stream(rows).filter(i -> d.phases[i] == Phase.PREFILL).toArray();
    TreeSet<String> vendors = new TreeSet<>();
    for (int i : prefill) {
      vendors.add(d.vendors[i]);
    }
    Map<String, Double> rates = new TreeMap<>();
    for (String vendor : vendors) {
      int[] own = Arrays.stream(prefill).filter(i -> d.vendors[i].equals(vendor)).toArray();
      double bestMape = StepOverhead.heldOutFamiliesMape(d, own, reference);
      for (double rate : GRID) {
        Map<String, Double> trial = new TreeMap<>(rates);
        trial.put(vendor, rate);
        double mape = StepOverhead.heldOutFamiliesMape(d, own, reference.withPrefillRates(trial));
        if (mape < bestMape) {
          bestMape = mape;
          rates.put(vendor, rate);
        }
      }
    }
    return reference.withPrefillRates(rates);
  }
}
