package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hyper-parameters that choose a training run's {@link Reference} rather than reach its trainer: the decode step
 * overhead ({@link StepOverhead}) and KV-cache read factor ({@link KvReadFactor}), chosen together, the prefill
 * rates per compute unit ({@link PrefillRate}) and what a batched decode step is relative to ({@link #DECODE_BATCH}:
 * {@code one}, the reference of one sequence, or {@code same}, the step's own; see {@link Reference}).
 *
 * <p>The decode batch defaults to {@code one}, for the argument of {@link Reference}: only relative to one sequence
 * does a model held non-decreasing in the batch express every batch curve that keeps aggregate tokens/s from falling.
 * No other setting was searched; {@code same} reproduces models trained before.
 */
public record ReferenceSettings(StepOverhead overhead, KvReadFactor kvReadFactor, PrefillRate rate,
    boolean decodeOneSequence) {
  /** The hyper-parameter that sets what a batched decode step is relative to ({@code one|same}; one when absent). */
  public static final String DECODE_BATCH = "reference.decode_batch";
  /** The keys of these settings, in the order they are applied. */
  public static final List<String> KEYS = List.of(StepOverhead.KEY, KvReadFactor.KEY, PrefillRate.KEY, DECODE_BATCH);

  /** The settings in {@code hyperParameters} (each absent one is none). */
  public static ReferenceSettings from(Map<String, String> hyperParameters) {
    String batch = hyperParameters.getOrDefault(DECODE_BATCH, "one").trim().toLowerCase(Locale.ROOT);
    if (!batch.equals("one") && !batch.equals("same")) {
      throw new InvalidInputException(DECODE_BATCH, hyperParameters.get(DECODE_BATCH), "one (a batched decode step"
          + " relative to one sequence's reference) or same (relative to its own)");
    }
    return new ReferenceSettings(StepOverhead.from(hyperParameters), KvReadFactor.from(hyperParameters),
        PrefillRate.from(hyperParameters), batch.equals("one"));
  }

  /** The figure {@code text} states for {@code key}, a number in [min, max]; else one error naming both. */
  static double figure(String key, String text, double min, double max, String allowed) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= min && v <= max)) {
      throw new InvalidInputException(key, text, allowed);
    }
    return v;
  }

  /** {@code hyperParameters} without these settings: what the model's own trainer is given. */
  public static Map<String, String> without(Map<String, String> hyperParameters) {
    Map<String, String> rest = new TreeMap<>(hyperParameters);
    KEYS.forEach(rest::remove);
    return rest;
  }

  /**
   * The reference for a model of {@code kind} trained on {@code rows} of {@code d}: the overhead and KV read factor
   * (chosen on each batched step's own reference, whose efficiencies are comparable across batches), the decode
   * batch, then the rates.
   */
  public Reference choose(Encoded d, int[] rows, OutputKind kind) {
    return rate.choose(d, rows, overhead.choose(d, rows, kind, kvReadFactor)
        .withDecodeOneSequence(decodeOneSequence));
  }
}
