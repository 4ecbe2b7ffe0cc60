package dev.tuner.core.roofline;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one home of every figure a device lacks, in two kinds kept apart on purpose.
 *
 * <ul>
 *   <li>The <b>generous</b> FP16 peak ({@link #generousFp16}) is what the roofline bounds with: the highest FP16
 *       TFLOPS per compute unit of any catalogued device of the vendor, times the device's units, and never below the
 *       best estimate; unknown (no compute roof) when the vendor's rate or the device's units are. A roof must not be
 *       low, so it errs high.
 *   <li>The <b>best estimate</b> ({@link #fp16}, {@link #fp32}, {@link #int8}) is what the learned model is given:
 *       erring high there makes it predict high (2–3× for a device imputed from its vendor's fastest part).
 * </ul>
 *
 * <p>A best estimate comes from the device's own catalogued figures where it has any, scaled by a ratio taken from
 * its nearest catalogued relatives, else from those relatives' rate per compute unit:
 *
 * <ol>
 *   <li>FP16: another tensor peak of the device (FP8, FP4, then INT8) times its relatives' median FP16/that ratio
 *       (tensor units scale together within a generation); else its FP32 vector peak times their median FP16/FP32
 *       ratio; else its compute units times their median FP16 TFLOPS per unit.
 *   <li>FP32 vector: the FP16 peak (catalogued or best estimate) times the relatives' median FP32/FP16 ratio.
 *   <li>INT8: the FP16 peak (catalogued or best estimate) times the relatives' median INT8/FP16 ratio.
 * </ol>
 *
 * <p>Relatives are devices of the same vendor that have both figures a rule needs; the nearest are kept: the same chip
 * family, else the same generation (see {@link #generation}), else the nearest generation of the same series; within
 * each, the same tier (the family's part after '-', e.g. "Max") before the others. Devices of another series (Navi
 * and MI, GA and AD) are never relatives: their ratios differ by design.
 *
 * <p>Immutable apart from a cache of the per-device results (computed on first use, the same every time), so safe to
 * share between threads.
 */
public final class SpecEstimates {
  /** Where a figure came from. */
  public enum Source {
    /** The catalog (or the user) gives it. */
    CATALOGUED,
    /** Imputed: see {@link Estimate#basis}. */
    ESTIMATED,
    /** Neither given nor estimable: the value is 0. */
    UNKNOWN
  }

  /** A figure (TFLOPS or TOPS), where it came from, and in words how it was obtained (empty when catalogued). */
  public record Estimate(double value, Source source, String basis) {
    public Estimate {
      Objects.requireNonNull(source, "source");
      basis = basis == null ? "" : basis;
    }

    static Estimate catalogued(double value) {
      return new Estimate(value, Source.CATALOGUED, "");
    }

    static final Estimate UNKNOWN = new Estimate(0, Source.UNKNOWN, "not estimable");

    public boolean known() {
      return source == Source.CATALOGUED;
    }
  }

  /** The estimates of one device. */
  public record DeviceEstimates(Estimate generousFp16, Estimate fp16, Estimate fp32, Estimate int8) {}

  private final List<DeviceSpec> devices;
  private final Map<String, Double> generousPerUnitByVendor;
  private final Map<DeviceSpec, DeviceEstimates> cache = new ConcurrentHashMap<>();

  /** Relatives are drawn from {@code devices} (the catalog's). */
  public SpecEstimates(List<DeviceSpec> devices) {
    this.devices = List.copyOf(devices);
    Map<String, Double> perUnit = new HashMap<>();
    for (DeviceSpec d : this.devices) {
      if (d.fp16Tflops().isPresent() && d.computeUnits() > 0 && !d.vendor().isEmpty()) {
        perUnit.merge(vendorKey(d), d.fp16Tflops().getAsDouble() / d.computeUnits(), Math::max);
      }
    }
    this.generousPerUnitByVendor = Map.copyOf(perUnit);
  }

  public static SpecEstimates of(Catalog catalog) {
    return new SpecEstimates(catalog.devices().entries());
  }

  /** All of {@code d}'s estimates; devices with every figure catalogued skip the search. */
  public DeviceEstimates of(DeviceSpec d) {
    if (d.fp16Tflops().isPresent() && d.fp32Tflops().isPresent() && d.int8Tops().isPresent()) {
      Estimate fp16 = Estimate.catalogued(d.fp16Tflops().getAsDouble());
      return new DeviceEstimates(fp16, fp16, Estimate.catalogued(d.fp32Tflops().getAsDouble()),
          Estimate.catalogued(d.int8Tops().getAsDouble()));
    }
    return cache.computeIfAbsent(d, this::estimate);
  }

  public Estimate generousFp16(DeviceSpec d) {
    return of(d).generousFp16();
  }

  public Estimate fp16(DeviceSpec d) {
    return of(d).fp16();
  }

  public Estimate fp32(DeviceSpec d) {
    return of(d).fp32();
  }

  public Estimate int8(DeviceSpec d) {
    return of(d).int8();
  }

  private DeviceEstimates estimate(DeviceSpec d) {
    Estimate fp16 = bestFp16(d);
    Estimate fp32 = d.fp32Tflops().isPresent() ? Estimate.catalogued(d.fp32Tflops().getAsDouble())
        : fromFp16(d, fp16, "FP32", DeviceSpec::fp32Tflops);
    Estimate int8 = d.int8Tops().isPresent() ? Estimate.catalogued(d.int8Tops().getAsDouble())
        : fromFp16(d, fp16, "INT8", DeviceSpec::int8Tops);
    return new DeviceEstimates(generous(d, fp16), fp16, fp32, int8);
  }

  private Estimate generous(DeviceSpec d, Estimate best) {
    if (best.known()) {
      return best;
    }
    Double perUnit = generousPerUnitByVendor.get(vendorKey(d));
    if (perUnit == null || d.computeUnits() == 0) {
      // a best estimate alone may be low, and a low roof is no bound: without the generous rule there is none
      return Estimate.UNKNOWN;
    }
    double value = perUnit * d.computeUnits();
    if (value < best.value()) {
      return best;
    }
    return new Estimate(value, Source.ESTIMATED, String.format(Locale.ROOT,
        "%d compute units × %.4f, the highest FP16 TFLOPS per unit of any catalogued %s device", d.computeUnits(),
        perUnit, d.vendor()));
  }

  private Estimate bestFp16(DeviceSpec d) {
    if (d.fp16Tflops().isPresent()) {
      return Estimate.catalogued(d.fp16Tflops().getAsDouble());
    }
    List<Peak> others = List.of(new Peak("FP8", DeviceSpec::fp8Tflops), new Peak("FP4", DeviceSpec::fp4Tflops),
        new Peak("INT8", DeviceSpec::int8Tops), new Peak("FP32", DeviceSpec::fp32Tflops));
    for (Peak p : others) {
      OptionalDouble own = p.figure().apply(d);
      if (own.isEmpty()) {
        continue;
      }
      Ratio r = nearestRatio(d, DeviceSpec::fp16Tflops, p.figure());
      if (r != null) {
        double value = own.getAsDouble() * r.value();
        return new Estimate(value, Source.ESTIMATED, String.format(Locale.ROOT,
            "its %s peak %s × %.4f, the median FP16/%s ratio of %s", p.name(), num(own.getAsDouble()), r.value(),
            p.name(), r.from()));
      }
    }
    if (d.computeUnits() > 0) {
      Ratio r = nearestRatio(d, DeviceSpec::fp16Tflops,
          x -> x.computeUnits() > 0 ? OptionalDouble.of(x.computeUnits()) : OptionalDouble.empty());
      if (r != null) {
        return new Estimate(d.computeUnits() * r.value(), Source.ESTIMATED, String.format(Locale.ROOT,
            "%d compute units × %.4f, the median FP16 TFLOPS per unit of %s", d.computeUnits(), r.value(), r.from()));
      }
    }
    return Estimate.UNKNOWN;
  }

  private Estimate fromFp16(DeviceSpec d, Estimate fp16, String name, Function<DeviceSpec, OptionalDouble> figure) {
    if (fp16.value() == 0) {
      return Estimate.UNKNOWN;
    }
    Ratio r = nearestRatio(d, figure, DeviceSpec::fp16Tflops);
    if (r == null) {
      return Estimate.UNKNOWN;
    }
    return new Estimate(fp16.value() * r.value(), Source.ESTIMATED, String.format(Locale.ROOT,
        "%s FP16 peak %s × %.4f, the median %s/FP16 ratio of %s", fp16.known() ? "its" : "its estimated",
        num(fp16.value()), r.value(), name, r.from()));
  }

  private record Peak(String name, Function<DeviceSpec, OptionalDouble> figure) {}

  /** A median ratio and the relatives it came from, in words. */
  private record Ratio(double value, String from) {}

  /** The median of {@code top / bottom} over {@code d}'s nearest relatives that have both; null when none has. */
  private Ratio nearestRatio(DeviceSpec d, Function<DeviceSpec, OptionalDouble> top,
      Function<DeviceSpec, OptionalDouble> bottom) {
    Family own = Family.parse(d.chipFamily());
    int best = Integer.MAX_VALUE;
    List<DeviceSpec> nearest = new ArrayList<>();
    for (DeviceSpec x : devices) {
      if (x.name().equals(d.name()) || !vendorKey(x).equals(vendorKey(d)) || vendorKey(d).isEmpty()
          || top.apply(x).isEmpty() || bottom.apply(x).isEmpty()) {
        continue;
      }
      int distance = own.distanceTo(Family.parse(x.chipFamily()));
      if (distance < best) {
        best = distance;
        nearest.clear();
      }
      if (distance == best && distance != Integer.MAX_VALUE) {
        nearest.add(x);
      }
    }
    if (nearest.isEmpty()) {
      return null;
    }
    double[] ratios = nearest.stream()
        .mapToDouble(x -> top.apply(x).getAsDouble() / bottom.apply(x).getAsDouble()).sorted().toArray();
    int mid = ratios.length / 2;
    double median = ratios.length % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
    List<String> names = nearest.stream().map(DeviceSpec::name).toList();
    return new Ratio(median, names.size() == 1 ? names.get(0)
        : names.size() + " " + d.vendor() + " devices (" + String.join(", ", names) + ")");
  }

  /**
   * The generation of a chip family: its series (leading letters) and the first digit after them; what follows a
   * '-' is the tier. GA102 → GA1 (Ampere), AD104 → AD1, GB10 and GB100 → GB1, GB202 → GB2 (consumer Blackwell),
   * M3-Max → M3 (tier Max), Navi31 → Navi3 (RDNA3), MI300 → MI3. A family without a digit is its own generation.
   */
  public static String generation(String chipFamily) {
    Family f = Family.parse(chipFamily);
    return f.digit() < 0 ? f.series() : f.series() + f.digit();
  }

  private record Family(String name, String series, int digit, String tier) {
    static Family parse(String chipFamily) {
      String family = chipFamily.trim();
      int dash = family.indexOf('-');
      String stem = dash < 0 ? family : family.substring(0, dash);
      String tier = dash < 0 ? "" : family.substring(dash + 1).toLowerCase(Locale.ROOT);
      int i = 0;
      while (i < stem.length() && Character.isLetter(stem.charAt(i))) {
        i++;
      }
      int digit = i < stem.length() && Character.isDigit(stem.charAt(i)) ? stem.charAt(i) - '0' : -1;
      return new Family(family.toLowerCase(Locale.ROOT), stem.substring(0, i).toLowerCase(Locale.ROOT), digit, tier);
    }

    /**
     * 0 same family; 2 same generation and tier, 3 same generation; 2 + 2 × (generations apart) (+1 for another
     * tier) within the series; {@link Integer#MAX_VALUE} across series.
     */
    int distanceTo(Family other) {
      if (name.equals(other.name)) {
        return 0;
      }
      if (series.isEmpty() || !series.equals(other.series)) {
        return Integer.MAX_VALUE;
      }
      if (digit < 0 || other.digit < 0) {
        return digit == other.digit ? 2 + (tier.equals(other.tier) ? 0 : 1) : Integer.MAX_VALUE;
      }
      return 2 + 2 * Math.abs(digit - other.digit) + (tier.equals(other.tier) ? 0 : 1);
    }
  }

  private static String vendorKey(DeviceSpec d) {
    return d.vendor().toLowerCase(Locale.ROOT);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
