package dev.tuner.core.roofline;

import dev.tuner.api.Bound;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The physical upper bound on tokens/s, computed from the raw scenario.
 *
 * <p>Memory roof: a step reads every weight once (at its true bits per weight) plus, for decode, the KV cache of
 * every sequence; for prefill it writes the prompt's KV cache. Decode windows grow from an empty cache to
 * {@code context}, so the mean KV length {@code context / 2} is used: that is exact for such windows and still an
 * upper bound for any window that ends at {@code context}. Prefill counts the weights once for the whole prompt,
 * the least traffic any implementation can have.
 *
 * <p>Compute roof: 2 FLOPs per parameter per token plus attention (QKᵀ and AV: 4 · layers · heads · head_dim
 * FLOPs per cached token, over the mean causal length {@code context / 2}), against the dense tensor peak of the
 * quantization's arithmetic (FP8 peak for FP8 formats where the device has one, FP16 otherwise).
 *
 * <p>Whatever cannot be computed is left out — which can only raise the bound, so it stays a bound — and the
 * result says what was assumed.
 *
 * <p>The result also carries the device's vector peak (FP32 on the non-tensor ALUs), which does not bound anything
 * but which batch-1 decode kernels that dequantise on those ALUs are limited by.
 */
public final class Roofline {
  private final Map<String, Double> tflopsPerUnitByVendor;
  private final Map<String, Double> fp32PerFp16ByVendor;

  /**
   * Unknown FP16 peaks are imputed from the highest TFLOPS per compute unit among {@code catalog}'s devices of a
   * vendor; unknown vector peaks from the FP16 peak and the median FP32/FP16 ratio of that vendor's devices.
   */
  public Roofline(Catalog catalog) {
    this(peakPerUnit(catalog.devices().entries()), fp32PerFp16(catalog.devices().entries()));
  }

  /** Without vector ratios: a device's unknown vector peak is then never imputed. */
  public Roofline(Map<String, Double> tflopsPerUnitByVendor) {
    this(tflopsPerUnitByVendor, Map.of());
  }

  /** Both maps are keyed by lower-case vendor name. */
  public Roofline(Map<String, Double> tflopsPerUnitByVendor, Map<String, Double> fp32PerFp16ByVendor) {
    this.tflopsPerUnitByVendor = Map.copyOf(tflopsPerUnitByVendor);
    this.fp32PerFp16ByVendor = Map.copyOf(fp32PerFp16ByVendor);
  }

  /** The highest FP16 TFLOPS per compute unit of each vendor: generous on purpose, as the roof must not be low. */
  public static Map<String, Double> peakPerUnit(List<DeviceSpec> devices) {
    Map<String, Double> out = new HashMap<>();
    for (DeviceSpec d : devices) {
      if (d.fp16Tflops().isPresent() && d.computeUnits() > 0 && !d.vendor().isEmpty()) {
        out.merge(d.vendor().toLowerCase(Locale.ROOT), d.fp16Tflops().getAsDouble() / d.computeUnits(), Math::max);
      }
    }
    return out;
  }

  /**
   * The median FP32 (vector) / FP16 (tensor) peak ratio of each vendor's devices that have both. The median, not the
   * extreme as for {@link #peakPerUnit}: the vector peak is no bound, so being generous buys nothing, and a vendor's
   * ratio differs by product line (a quarter on NVIDIA's GeForce and workstation parts, a sixteenth on its
   * data-centre parts).
   */
  public static Map<String, Double> fp32PerFp16(List<DeviceSpec> devices) {
    Map<String, List<Double>> ratios = new HashMap<>();
    for (DeviceSpec d : devices) {
      if (d.fp32Tflops().isPresent() && d.fp16Tflops().isPresent() && !d.vendor().isEmpty()) {
        ratios.computeIfAbsent(d.vendor().toLowerCase(Locale.ROOT), v -> new ArrayList<>())
            .add(d.fp32Tflops().getAsDouble() / d.fp16Tflops().getAsDouble());
      }
    }
    Map<String, Double> out = new HashMap<>();
    ratios.forEach((vendor, list) -> out.put(vendor, median(list)));
    return out;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  public RooflineResult compute(Scenario s) {
    return compute(s, true);
  }

  /**
   * {@link #compute} without the assumptions' text: the same figures and an empty assumption list. For batch
   * scoring, which reads only the figures: saying what was assumed costs more than the arithmetic, for scenarios
   * with unknown specs.
   */
  public RooflineResult computeFigures(Scenario s) {
    return compute(s, false);
  }

  private RooflineResult compute(Scenario s, boolean explain) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    double params = m.paramsB() * 1e9;
    double weightBytes = params * s.quant().bytesPerWeight();
    double kvPerToken = 0;
    if (m.knowsKvShape()) {
      kvPerToken = 2.0 * m.layers() * m.kvHeads() * m.effectiveHeadDim() * s.kvCache().bytesPerElement();
    }
    double attentionPerCachedToken = 0;
    if (m.knowsAttentionShape()) {
      attentionPerCachedToken = 4.0 * m.layers() * m.heads() * m.effectiveHeadDim();
    }
    double meanContext = s.context() / 2.0;
    double tokensPerStep;
    double kvBytes;
    if (s.phase() == Phase.DECODE) {
      tokensPerStep = s.batch();
      kvBytes = s.batch() * kvPerToken * meanContext;
    } else {
      tokensPerStep = (double) s.batch() * s.context();
      kvBytes = tokensPerStep * kvPerToken;
    }
    double bytesPerStep = weightBytes + kvBytes;
    double memoryRoof = d.memBandwidthGBs() * 1e9 * tokensPerStep / bytesPerStep;
    double flopsPerToken = 2.0 * params + attentionPerCachedToken * meanContext;
    double peak = peak(d, s.quant().activation(), null);
    double computeRoof = peak > 0 ? peak * 1e12 / flopsPerToken : Double.POSITIVE_INFINITY;
    boolean memoryBound = memoryRoof <= computeRoof;
    double intensity = flopsPerToken * tokensPerStep / bytesPerStep;
    double roof = Math.min(memoryRoof, computeRoof);
    double vector = vector(d, null);
    double serialRoof = roof;
    if (s.phase() == Phase.DECODE && vector > 0) {
      double seconds = bytesPerStep / (d.memBandwidthGBs() * 1e9) + flopsPerToken * tokensPerStep / (vector * 1e12);
      serialRoof = Math.min(roof, tokensPerStep / seconds);
    }
    return new RooflineResult(
        roof,
        memoryRoof,
        computeRoof,
        memoryBound ? Bound.MEMORY : Bound.COMPUTE,
        bytesPerStep,
        weightBytes,
        kvBytes,
        tokensPerStep,
        flopsPerToken,
        peak,
        vector,
        intensity,
        serialRoof,
        explain ? assumptions(s) : List.of());
  }

  /**
   * What {@link #compute} had to assume, in the order it meets the gaps. Most scenarios need no assumption, and
   * batch scoring computes millions of rooflines, so the list is only built when there is something to say.
   */
  private List<String> assumptions(Scenario s) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    Activation activation = s.quant().activation();
    boolean kv = !m.knowsKvShape() && s.context() > 0;
    boolean attention = !m.knowsAttentionShape() && s.context() > 0;
    boolean peakKnown = (activation == Activation.FP8 && d.fp8Tflops().isPresent()) || d.fp16Tflops().isPresent();
    if (!kv && !attention && peakKnown && d.fp32Tflops().isPresent()) {
      return List.of();
    }
    List<String> assumptions = new ArrayList<>(4);
    if (kv) {
      assumptions.add("KV-cache traffic not counted: layers, KV heads or head dimension of " + m.name() + " unknown");
    }
    if (attention) {
      assumptions.add("attention FLOPs not counted: layers, heads or head dimension of " + m.name() + " unknown");
    }
    peak(d, activation, assumptions);
    vector(d, assumptions);
    return List.copyOf(assumptions);
  }

  /** The peak used for the compute roof in TFLOPS, 0 when none can be used. Records every assumption made. */
  public double peakTflops(DeviceSpec d, Activation activation, List<String> assumptions) {
    return peak(d, activation, assumptions);
  }

  /** {@link #peakTflops}, recording assumptions only when {@code assumptions} is not null. */
  private double peak(DeviceSpec d, Activation activation, List<String> assumptions) {
    if (activation == Activation.FP8 && d.fp8Tflops().isPresent()) {
      return d.fp8Tflops().getAsDouble();
    }
    return fp16(d, assumptions);
  }

  /** The FP16 peak, known or imputed from the vendor's TFLOPS per compute unit; 0 when neither is possible. */
  private double fp16(DeviceSpec d, List<String> assumptions) {
    OptionalDouble fp16 = d.fp16Tflops();
    if (fp16.isPresent()) {
      return fp16.getAsDouble();
    }
    Double perUnit = tflopsPerUnitByVendor.get(d.vendor().toLowerCase(Locale.ROOT));
    if (perUnit != null && d.computeUnits() > 0) {
      double estimate = perUnit * d.computeUnits();
      if (assumptions == null) {
        return estimate;
      }
      assumptions.add(String.format(Locale.ROOT,
          "FP16 peak of %s unknown: assumed %.1f TFLOPS (%d compute units × %.3f, the highest TFLOPS per unit of"
              + " any catalogued %s device)", d.name(), estimate, d.computeUnits(), perUnit, d.vendor()));
      return estimate;
    }
    if (assumptions != null) {
      assumptions.add("FP16 peak of " + d.name() + " unknown and not estimable: compute roof not applied");
    }
    return 0;
  }

  /**
   * The vector peak in TFLOPS: the device's FP32 figure, else its FP16 peak (known or imputed) times the vendor's
   * median FP32/FP16 ratio, else 0. Records the assumption only when {@code assumptions} is not null.
   */
  private double vector(DeviceSpec d, List<String> assumptions) {
    if (d.fp32Tflops().isPresent()) {
      return d.fp32Tflops().getAsDouble();
    }
    Double ratio = fp32PerFp16ByVendor.get(d.vendor().toLowerCase(Locale.ROOT));
    // no list passed on: the compute roof's assumption already says how an unknown FP16 peak was imputed
    double fp16 = ratio == null ? 0 : fp16(d, null);
    if (fp16 > 0) {
      double estimate = fp16 * ratio;
      if (assumptions != null) {
        assumptions.add(String.format(Locale.ROOT,
            "FP32 vector peak of %s unknown: assumed %.1f TFLOPS (%s FP16 peak %.1f × %.3f, the median FP32/FP16"
                + " ratio of the catalogued %s devices that have both)", d.name(), estimate,
            d.fp16Tflops().isPresent() ? "its" : "the assumed", fp16, ratio, d.vendor()));
      }
      return estimate;
    }
    if (assumptions != null) {
      assumptions.add("FP32 vector peak of " + d.name() + " unknown and not estimable: taken as 0");
    }
    return 0;
  }
}
