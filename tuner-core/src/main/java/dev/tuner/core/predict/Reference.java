package dev.tuner.core.predict;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a model's raw output is relative to: the roof its {@link OutputKind} names, and, for the serial roof of a
 * decode step, a fixed overhead per layer and step ({@code stepOverheadSecondsPerLayer}) added to the step's time.
 *
 * <p>Every decode step launches the same kernels per layer whatever the device's speed (scheduling, launches,
 * synchronisation), so the share of its roof a device reaches falls as the roof rises. A learned model that may not
 * read bandwidth or peaks (they would let it move against physics) cannot learn that trend; a reference with the
 * overhead in it carries the trend by its form: tokens/s = batch / (step time at the serial roof + overhead ×
 * layers, every pipeline stage's in turn) rises with bandwidth and every peak, falls with context, and rises with the
 * batch, for any learned factor that does not read those figures. Prefill gets no overhead: an overhead per
 * n_ubatch chunk would make prompt tokens/s saw-tooth in the prompt length. The overhead travels with the model as
 * the property {@link #PROPERTY} (seconds per layer; absent means 0), chosen when the model was trained.
 *
 * <p>A prefill step's reference may also cap the compute peak at a rate per compute unit of the device's vendor
 * ({@code prefillTflopsPerUnit}, TFLOPS per SM, CU or GPU core): the compute roof becomes the roof at
 * {@code min(peak, rate × compute units)}. llama.cpp's prompt kernels reach a share of the tensor peak that falls as
 * the peak rises (its quantised matrix products reach 27-99 TOPS on NVIDIA parts whose int8 peak spans 163-1 513,
 * about as many per SM on each), so on a fast part the tensor peak says less about the step than its units do. The
 * capped roof rises with the peak (up to the cap) and with the units and falls with the prompt, so the learned
 * factor keeps its guarantees. Only the arithmetic of llama.cpp's kernels is capped ({@link #CAPPED}); a vendor
 * without a rate, a device whose units are unknown, and FP8/FP4 arithmetic keep the plain roof.
 * The rates travel as the properties {@link #PREFILL_RATE_PREFIX}{@code <vendor>}.
 *
 * <p>A batched decode step's reference is, with {@code decodeOneSequence}, the reference of the same step with one
 * sequence: the learned factor then carries the whole gain of batching, and "aggregate tokens/s never falls with the
 * batch" is exactly "the factor never falls with the batch", a constraint a model can hold by construction. Relative
 * to the batched step's own reference (the default, for models trained before), the same constraint is sufficient
 * but not necessary: that reference already rises with the batch, so a device whose share of it falls with the
 * batch (llama.cpp on Metal reaches 0.74 of it at batch 1 and 0.36 at 32) cannot be learned. It travels as the
 * property {@link #DECODE_ONE_SEQUENCE} ({@code true}; absent means false).
 *
 * <p>A decode step's reference may also read its KV cache at a smaller share of the bandwidth than its weights
 * ({@code kvReadFactor}: the cache's time at the bandwidth is multiplied by it, 1 for none). A decode step streams
 * each weight matrix once through a matrix-vector kernel, but reads the cache through attention kernels that gather
 * per head, convert each element and take a softmax between the two reads; in the shipped llama.cpp data a longer
 * context slows decode by more than its extra cache bytes take at the speed the same step reads its weights (the
 * median over 27 CUDA context sweeps: 1.9 times as long, more on Metal and ROCm). With the factor the reference still
 * rises with bandwidth and every peak, falls with the context and does not move with the batch of a one-sequence
 * reference, and never exceeds the serial roof. It travels as the property {@link #KV_READ_FACTOR} (absent means 1).
 */
public record Reference(OutputKind kind, double stepOverheadSecondsPerLayer, Map<String, Double> prefillTflopsPerUnit,
    boolean decodeOneSequence, double kvReadFactor) {
  /** The model property (artifact header or model info) holding the overhead, in seconds per layer and step. */
  public static final String PROPERTY = "reference.step_overhead_s_per_layer";
  /** Far above any per-layer launch overhead (microseconds): a larger figure is a unit mistake, not a fit. */
  public static final double MAX_STEP_OVERHEAD = 0.01;
  /** The model properties holding the prefill rates, one per vendor: this prefix and the vendor as catalogued. */
  public static final String PREFILL_RATE_PREFIX = "reference.prefill_tflops_per_unit.";
  /**
   * The arithmetic whose prompt kernels the rate caps: llama.cpp's (integer dot products for its quantisations, FP16
   * and FP32 GEMMs for unquantised weights). FP8 and FP4 come from engines whose GEMMs are written for the tensor
   * peak (TensorRT-LLM, vLLM) and keep the plain roof.
   */
  static final Set<Activation> CAPPED = EnumSet.of(Activation.INT8, Activation.FP16, Activation.FP32);
  /** The model property that makes a batched decode step's reference the one of a single sequence. */
  public static final String DECODE_ONE_SEQUENCE = "reference.decode_one_sequence";
  /** Above any compute unit's tensor rate (an H100 SM: about 15 dense FP8 TFLOPS): larger is a unit mistake. */
  public static final double MAX_PREFILL_RATE = 100;
  /** The model property holding the decode KV-cache read factor (absent means 1). */
  public static final String KV_READ_FACTOR = "reference.kv_read_factor";
  /** A cache read 20 times slower than the weights' stream would be a broken kernel, not a share to learn. */
  public static final double MAX_KV_READ_FACTOR = 20;

  public Reference {
    Objects.requireNonNull(kind, "kind");
    if (!(stepOverheadSecondsPerLayer >= 0 && stepOverheadSecondsPerLayer <= MAX_STEP_OVERHEAD)) {
      throw new IllegalArgumentException(PROPERTY + " = " + stepOverheadSecondsPerLayer + " is outside [0, "
          + MAX_STEP_OVERHEAD + "] seconds per layer");
    }
    // a vendor is matched as catalogs spell it, whatever the case ("NVIDIA", "Nvidia")
    Map<String, Double> rates = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    rates.putAll(prefillTflopsPerUnit);
    prefillTflopsPerUnit = Collections.unmodifiableMap(rates);
    for (Map.Entry<String, Double> e : prefillTflopsPerUnit.entrySet()) {
      if (!(e.getValue() > 0 && e.getValue() <= MAX_PREFILL_RATE)) {
        throw new IllegalArgumentException(PREFILL_RATE_PREFIX + e.getKey() + " = " + e.getValue()
            + " is outside (0, " + MAX_PREFILL_RATE + "] TFLOPS per compute unit");
      }
    }
    if (!prefillTflopsPerUnit.isEmpty() && !kind.usesSerialRoof()) {
      throw new IllegalArgumentException("prefill rates need the output kind " + OutputKind.LOG_SERIAL_ROOF_FRACTION.id()
          + ", not " + kind.id());
    }
    if (!(kvReadFactor >= 1 && kvReadFactor <= MAX_KV_READ_FACTOR)) {
      throw new IllegalArgumentException(KV_READ_FACTOR + " = " + kvReadFactor + " is outside [1, "
          + MAX_KV_READ_FACTOR + "]");
    }
    if (kvReadFactor != 1 && !kind.usesSerialRoof()) {
      throw new IllegalArgumentException(KV_READ_FACTOR + " = " + kvReadFactor + " needs the output kind "
          + OutputKind.LOG_SERIAL_ROOF_FRACTION.id() + ", not " + kind.id());
    }
  }

  /** A reference with a decode step overhead, prefill rates and decode batch, reading the KV cache as its weights. */
  public Reference(OutputKind kind, double stepOverheadSecondsPerLayer, Map<String, Double> prefillTflopsPerUnit,
      boolean decodeOneSequence) {
    this(kind, stepOverheadSecondsPerLayer, prefillTflopsPerUnit, decodeOneSequence, 1);
  }

  /** A reference with a decode step overhead and prefill rates, each batched decode step relative to itself. */
  public Reference(OutputKind kind, double stepOverheadSecondsPerLayer, Map<String, Double> prefillTflopsPerUnit) {
    this(kind, stepOverheadSecondsPerLayer, prefillTflopsPerUnit, false);
  }

  /** A reference with a decode step overhead and no prefill rate. */
  public Reference(OutputKind kind, double stepOverheadSecondsPerLayer) {
    this(kind, stepOverheadSecondsPerLayer, Map.of());
  }

  /** The plain reference of {@code kind}: no overhead, no prefill rate. */
  public static Reference of(OutputKind kind) {
    return new Reference(kind, 0);
  }

  /** This reference with {@code rates} (TFLOPS per compute unit, by vendor) as its prefill rates. */
  public Reference withPrefillRates(Map<String, Double> rates) {
    return new Reference(kind, stepOverheadSecondsPerLayer, rates, decodeOneSequence, kvReadFactor);
  }

  /** This reference with a batched decode step relative to one sequence (or, with false, to itself). */
  public Reference withDecodeOneSequence(boolean oneSequence) {
    return new Reference(kind, stepOverheadSecondsPerLayer, prefillTflopsPerUnit, oneSequence, kvReadFactor);
  }

  /** This reference with a decode step's KV-cache time multiplied by {@code factor} (1: as fast as its weights). */
  public Reference withKvReadFactor(double factor) {
    return new Reference(kind, stepOverheadSecondsPerLayer, prefillTflopsPerUnit, decodeOneSequence, factor);
  }

  /**
   * The reference of a model of output {@code kind} whose properties are {@code properties}: the overhead of
   * {@link #PROPERTY}, 0 when absent. {@code where} names the model in the error a malformed figure raises.
   */
  public static Reference of(OutputKind kind, Map<String, String> properties, String where) {
    double overhead = 0;
    String text = properties.get(PROPERTY);
    if (text != null) {
      overhead = number(text, where, PROPERTY, "seconds per layer between 0 and " + MAX_STEP_OVERHEAD, 0,
          MAX_STEP_OVERHEAD, true);
      if (overhead > 0 && !kind.usesSerialRoof()) {
        throw new ModelLoadException(where + ": property " + PROPERTY + " = " + text + " needs the output kind "
            + OutputKind.LOG_SERIAL_ROOF_FRACTION.id() + ", not " + kind.id());
      }
    }
    Map<String, Double> rates = new TreeMap<>();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (!e.getKey().startsWith(PREFILL_RATE_PREFIX)) {
        continue;
      }
      String vendor = e.getKey().substring(PREFILL_RATE_PREFIX.length());
      if (vendor.isBlank()) {
        throw new ModelLoadException(where + ": property " + e.getKey() + " names no vendor: expected "
            + PREFILL_RATE_PREFIX + "<vendor>");
      }
      rates.put(vendor, number(e.getValue(), where, e.getKey(), "TFLOPS per compute unit above 0 and at most "
          + MAX_PREFILL_RATE, 0, MAX_PREFILL_RATE, false));
    }
    if (!rates.isEmpty() && !kind.usesSerialRoof()) {
      throw new ModelLoadException(where + ": properties " + PREFILL_RATE_PREFIX + "* need the output kind "
          + OutputKind.LOG_SERIAL_ROOF_FRACTION.id() + ", not " + kind.id());
    }
    boolean oneSequence = false;
    String single = properties.get(DECODE_ONE_SEQUENCE);
    if (single != null) {
      if (!single.trim().equals("true") && !single.trim().equals("false")) {
        throw new ModelLoadException(where + ": property " + DECODE_ONE_SEQUENCE + " = \"" + single
            + "\" is invalid: expected true or false");
      }
      oneSequence = single.trim().equals("true");
    }
    double kvFactor = 1;
    String factor = properties.get(KV_READ_FACTOR);
    if (factor != null) {
      kvFactor = number(factor, where, KV_READ_FACTOR, "a factor of at least 1 and at most " + MAX_KV_READ_FACTOR, 1,
          MAX_KV_READ_FACTOR, true);
      if (kvFactor != 1 && !kind.usesSerialRoof()) {
        throw new ModelLoadException(where + ": property " + KV_READ_FACTOR + " = " + factor + " needs the output kind "
            + OutputKind.LOG_SERIAL_ROOF_FRACTION.id() + ", not " + kind.id());
      }
    }
    return new Reference(kind, overhead, rates, oneSequence, kvFactor);
  }

  /** Whether {@code properties} hold any figure of a reference (overhead, prefill rate, decode batch, KV factor). */
  public static boolean recordedIn(Map<String, String> properties) {
    return properties.keySet().stream().anyMatch(k -> k.equals(PROPERTY) || k.startsWith(PREFILL_RATE_PREFIX)
        || k.equals(DECODE_ONE_SEQUENCE) || k.equals(KV_READ_FACTOR));
  }

  private static double number(String text, String where, String property, String allowed, double low, double high,
      boolean lowIncluded) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!((lowIncluded ? v >= low : v > low) && v <= high)) {
      throw new ModelLoadException(where + ": property " + property + " = \"" + text + "\" is invalid: expected "
          + allowed);
    }
    return v;
  }

  /** The properties that record this reference's figures (empty for the plain reference). */
  public Map<String, String> properties() {
    Map<String, String> out = new TreeMap<>();
    if (stepOverheadSecondsPerLayer != 0) {
      out.put(PROPERTY, Double.toString(stepOverheadSecondsPerLayer));
    }
    prefillTflopsPerUnit.forEach((vendor, rate) -> out.put(PREFILL_RATE_PREFIX + vendor, Double.toString(rate)));
    if (decodeOneSequence) {
      out.put(DECODE_ONE_SEQUENCE, "true");
    }
    if (kvReadFactor != 1) {
      out.put(KV_READ_FACTOR, Double.toString(kvReadFactor));
    }
    return Collections.unmodifiableMap(out);
  }

  /** Tokens/s the raw output of scenario {@code s} (roofline {@code r}) is relative to. */
  public double tokensPerSecond(Scenario s, RooflineResult r) {
    if (s.phase() == Phase.PREFILL) {
      return prefill(s, r, r.referenceFor(kind));
    }
    RooflineResult step = decodeStep(s, r);
    double base = step.referenceFor(kind);
    boolean overhead = stepOverheadSecondsPerLayer > 0 && s.model().layers() > 0;
    if (!kind.usesSerialRoof() || (!overhead && kvReadFactor == 1)) {
      return base;
    }
    double seconds = 1 / base + (kvReadFactor - 1) * step.kvSecondsPerToken();
    if (overhead) {
      // a decode step passes every layer, its pipeline stages one after another; the step's sequences share it
      seconds += stepOverheadSecondsPerLayer * s.model().layers() / decodeSequences(s);
    }
    return 1 / seconds;
  }

  /**
   * What {@code s}'s reference leaves out when its model's layer count is unknown: the step overhead, which is per
   * layer, so the reference is the serial roof alone and the prediction leans high (it is near the roof). Empty when
   * the reference carries no overhead or the layers are known. tuner knows no sourced estimate of the layers from the
   * parameter count, so it takes none.
   */
  public Optional<String> overheadNotCounted(Scenario s) {
    if (!kind.usesSerialRoof() || s.phase() != Phase.DECODE || stepOverheadSecondsPerLayer <= 0
        || s.model().layers() > 0) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "layer count of %s unknown: the model's step overhead of %.4g µs per"
        + " layer and step is not counted, so the prediction leans high, towards the roof (state the layers:"
        + " ModelSpec's or ScenarioRequest's layers, --layers in the CLI)", s.model().name(),
        stepOverheadSecondsPerLayer * 1e6));
  }

  /**
   * The roofline a decode step of {@code s} is relative to: {@code r} itself, or, with {@code decodeOneSequence}, the
   * roofline of one sequence that a batched step's {@code r} carries.
   */
  public RooflineResult decodeStep(Scenario s, RooflineResult r) {
    if (decodeSequences(s) == s.batch()) {
      return r;
    }
    if (r.oneSequence() == r) {
      throw new IllegalArgumentException("the roofline of a decode step of batch " + s.batch()
          + " carries no roofline of one sequence; compute it with Roofline");
    }
    return r.oneSequence();
  }

  /** The sequences of the decode step {@code s} is relative to: one with {@code decodeOneSequence}, else its batch. */
  public int decodeSequences(Scenario s) {
    return decodeOneSequence ? 1 : s.batch();
  }

  /** The prefill reference: {@code base}, or the roofline at the capped peak (see the class comment). */
  private double prefill(Scenario s, RooflineResult r, double base) {
    Double rate = prefillTflopsPerUnit.get(s.device().vendor());
    int units = s.device().computeUnits();
    if (rate == null || units <= 0 || !(r.peakTflops() > 0) || Double.isInfinite(r.computeRoof())
        || !CAPPED.contains(s.quant().activation())) {
      return base;
    }
    double capped = r.computeRoof() * Math.min(1, rate * units / r.peakTflops());
    return Math.min(base, Math.min(r.memoryRoof(), Math.min(capped, r.interconnectRoof())));
  }
}
