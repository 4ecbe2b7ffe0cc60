package dev.tuner.core.learn;

import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hyper-parameters that choose a training run's {@link Reference} rather than reach its trainer: the decode step
 * overhead ({@link StepOverhead}) and the prefill rates per compute unit ({@link PrefillRate}).
 */
public record ReferenceSettings(StepOverhead overhead, PrefillRate rate) {
  /** The keys of these settings, in the order they are applied. */
  public static final List<String> KEYS = List.of(StepOverhead.KEY, PrefillRate.KEY);

  /** The settings in {@code hyperParameters} (each absent one is none). */
  public static ReferenceSettings from(Map<String, String> hyperParameters) {
    return new ReferenceSettings(StepOverhead.from(hyperParameters), PrefillRate.from(hyperParameters));
  }

  /** {@code hyperParameters} without these settings: what the model's own trainer is given. */
  public static Map<String, String> without(Map<String, String> hyperParameters) {
    Map<String, String> rest = new TreeMap<>(hyperParameters);
    KEYS.forEach(rest::remove);
    return rest;
  }

  /** The reference for a model of {@code kind} trained on {@code rows} of {@code d}: the overhead, then the rates. */
  public Reference choose(Encoded d, int[] rows, OutputKind kind) {
    return rate.choose(d, rows, overhead.choose(d, rows, kind));
  }
}
