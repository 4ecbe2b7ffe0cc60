package dev.tuner.core.predict;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.Map;

/**
 * What a model's raw output is relative to: the roof its {@link OutputKind} names, and, for the serial roof of a
 * decode step, a fixed overhead per layer and step ({@code stepOverheadSecondsPerLayer}) added to the step's time.
 *
 * <p>Every decode step launches the same kernels per layer whatever the device's speed (scheduling, launches,
 * synchronisation), so the share of its roof a device reaches falls as the roof rises. A learned model that may not
 * read bandwidth or peaks (they would let it move against physics) cannot learn that trend; a reference with the
 * overhead in it carries the trend by its form: tokens/s = batch / (step time at the serial roof + overhead ×
 * layers per pipeline stage) rises with bandwidth and every peak, falls with context, and rises with the batch, for
 * any learned factor that does not read those figures. Prefill keeps the roofline: an overhead per n_ubatch chunk
 * would make prompt tokens/s saw-tooth in the prompt length. The overhead travels with the model as the property
 * {@link #PROPERTY} (seconds per layer; absent means 0), chosen when the model was trained.
 */
public record Reference(OutputKind kind, double stepOverheadSecondsPerLayer) {
  /** The model property (artifact header or model info) holding the overhead, in seconds per layer and step. */
  public static final String PROPERTY = "reference.step_overhead_s_per_layer";
  /** Far above any per-layer launch overhead (microseconds): a larger figure is a unit mistake, not a fit. */
  public static final double MAX_STEP_OVERHEAD = 0.01;

  public Reference {
    java.util.Objects.requireNonNull(kind, "kind");
    if (!(stepOverheadSecondsPerLayer >= 0 && stepOverheadSecondsPerLayer <= MAX_STEP_OVERHEAD)) {
      throw new IllegalArgumentException(PROPERTY + " = " + stepOverheadSecondsPerLayer + " is outside [0, "
          + MAX_STEP_OVERHEAD + "] seconds per layer");
    }
  }

  /** The plain reference of {@code kind}: no overhead. */
  public static Reference of(OutputKind kind) {
    return new Reference(kind, 0);
  }

  /**
   * The reference of a model of output {@code kind} whose properties are {@code properties}: the overhead of
   * {@link #PROPERTY}, 0 when absent. {@code where} names the model in the error a malformed figure raises.
   */
  public static Reference of(OutputKind kind, Map<String, String> properties, String where) {
    String text = properties.get(PROPERTY);
    if (text == null) {
      return of(kind);
    }
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= 0 && v <= MAX_STEP_OVERHEAD)) {
      throw new ModelLoadException(where + ": property " + PROPERTY + " = \"" + text + "\" is invalid: expected"
          + " seconds per layer between 0 and " + MAX_STEP_OVERHEAD);
    }
    if (v > 0 && !kind.usesSerialRoof()) {
      throw new ModelLoadException(where + ": property " + PROPERTY + " = " + text + " needs the output kind "
          + OutputKind.LOG_SERIAL_ROOF_FRACTION.id() + ", not " + kind.id());
    }
    return new Reference(kind, v);
  }

  /** The property that records this reference's overhead (empty without one). */
  public Map<String, String> properties() {
    return stepOverheadSecondsPerLayer == 0 ? Map.of()
        : Map.of(PROPERTY, Double.toString(stepOverheadSecondsPerLayer));
  }

  /** Tokens/s the raw output of scenario {@code s} (roofline {@code r}) is relative to. */
  public double tokensPerSecond(Scenario s, RooflineResult r) {
    double base = r.referenceFor(kind);
    if (stepOverheadSecondsPerLayer == 0 || !kind.usesSerialRoof() || s.phase() != Phase.DECODE
        || s.model().layers() <= 0) {
      return base;
    }
    // a decode step of each replica yields its share of the batch; replicas step side by side, so the aggregate
    // time per token of the overhead is one stage's layers' overhead over the whole batch
    double layersPerStage = (double) s.model().layers() / s.parallel().pp();
    return 1 / (1 / base + stepOverheadSecondsPerLayer * layersPerStage / s.batch());
  }
}
