package dev.tuner.core.learn;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Every catalogued model × device × quantization, swept along each axis the physics orders: bandwidth, each compute
 * peak, decode context and batch, and prefill prompt length past saturation; and the engine build's month, which the
 * model is held non-decreasing in. Each combination starts from a batch and
 * context drawn from a seeded generator, so the sweep covers short and long contexts, single and batched decode,
 * without multiplying the count. Shared by the sweep of a freshly trained model and that of the shipped one.
 */
public final class PhysicsSweep {
  /** A reversal smaller than this share of the previous prediction is float noise, not physics. */
  public static final double TOLERANCE = 0.005;
  private static final int[] CONTEXTS = {256, 1024, 4096, 16384};
  private static final int[] BATCHES = {1, 2, 4, 8, 16, 32, 64};
  private static final int[] PIPELINE_STAGES = {1, 2, 4};
  private static final ParallelLayout SHARED = new ParallelLayout(4, 1, 1, 4);
  private static final int[] DEPTHS = {0, 512, 2048, 8192, 32768};
  private static final int[] PROMPTS = {128, 512, 2048, 8192, 32768};
  private static final double[] SCALES = {0.5, 1, 2};
  private static final java.time.YearMonth[] BUILDS = {java.time.YearMonth.of(2023, 6), java.time.YearMonth.of(2024, 5),
      java.time.YearMonth.of(2025, 3), java.time.YearMonth.of(2026, 1), java.time.YearMonth.of(2027, 6)};

  /** The curves swept along one axis, and the reversals beyond {@link #TOLERANCE} a predictor showed on them. */
  public record Result(int curves, List<String> reversals) {}

  public enum Axis {
    BANDWIDTH(Phase.DECODE, 1), BANDWIDTH_PREFILL(Phase.PREFILL, 1),
    FP16(Phase.DECODE, 1), FP16_PREFILL(Phase.PREFILL, 1),
    FP8(Phase.DECODE, 1), FP8_PREFILL(Phase.PREFILL, 1),
    FP32(Phase.DECODE, 1), FP32_PREFILL(Phase.PREFILL, 1),
    INT8(Phase.DECODE, 1), INT8_PREFILL(Phase.PREFILL, 1),
    FP4(Phase.DECODE, 1), FP4_PREFILL(Phase.PREFILL, 1),
    CONTEXT(Phase.DECODE, -1), BATCH(Phase.DECODE, 1), PROMPT(Phase.PREFILL, -1), BATCH_PREFILL(Phase.PREFILL, 1),
    DEPTH(Phase.DECODE, -1), DEPTH_PREFILL(Phase.PREFILL, -1),
    BUILD_MONTH(Phase.DECODE, 1), BUILD_MONTH_PREFILL(Phase.PREFILL, 1),
    PIPELINE(Phase.DECODE, -1),
    SHARED_EXPERTS_BATCH(Phase.DECODE, 1), SHARED_EXPERTS_BANDWIDTH(Phase.DECODE, 1);

    final Phase phase;
    final int direction;

    Axis(Phase phase, int direction) {
      this.phase = phase;
      this.direction = direction;
    }
  }

  private final Catalog catalog;
  private final Roofline roofline;
  private final long seed;

  public PhysicsSweep(Catalog catalog, Roofline roofline, long seed) {
    this.catalog = catalog;
    this.roofline = roofline;
    this.seed = seed;
  }

  /** Sweeps {@code axis} through {@code predictor}. */
  public Result run(Predictor predictor, Axis axis) {
    SplittableRandom rnd = new SplittableRandom(seed + axis.ordinal());
    List<Scenario[]> curves = new ArrayList<>();
    for (ModelSpec m : catalog.models().entries()) {
      for (DeviceSpec d : catalog.devices().entries()) {
        for (Quantization q : catalog.quants().entries()) {
          // the build month moves no roof, so a seeded quarter of the combinations tells as much and keeps the
          // suite's time
          if ((axis == Axis.BUILD_MONTH || axis == Axis.BUILD_MONTH_PREFILL) && rnd.nextInt(4) != 0) {
            continue;
          }
          int batch = axis.phase == Phase.DECODE ? BATCHES[rnd.nextInt(BATCHES.length)] : 1;
          int context = CONTEXTS[rnd.nextInt(CONTEXTS.length)];
          Scenario[] curve = curve(axis, m, d, q, batch, context);
          if (curve != null) {
            curves.add(curve);
          }
        }
      }
    }
    int points = curves.get(0).length;
    Scenario[] all = new Scenario[curves.size() * points];
    for (int c = 0; c < curves.size(); c++) {
      System.arraycopy(curves.get(c), 0, all, c * points, points);
    }
    double[] tps = new double[all.length];
    predictor.predictTokensPerSecond(all, tps);
    List<String> reversals = new ArrayList<>();
    for (int c = 0; c < curves.size(); c++) {
      for (int k = 1; k < points; k++) {
        int i = c * points + k;
        if (axis == Axis.PROMPT && !(computeBound(all[i - 1]) && computeBound(all[i]))) {
          continue;
        }
        double change = axis.direction * (tps[i] - tps[i - 1]);
        if (change < -TOLERANCE * tps[i - 1]) {
          reversals.add(describe(all[i - 1], tps[i - 1]) + " -> " + describe(all[i], tps[i]));
        }
      }
    }
    return new Result(curves.size(), reversals);
  }

  /** The scenarios of one sweep along {@code axis}, or null when the axis does not apply (a peak the device lacks). */
  private static Scenario[] curve(Axis axis, ModelSpec m, DeviceSpec d, Quantization q, int batch, int context) {
    switch (axis) {
      case CONTEXT:
        return sweep(CONTEXTS.length, k -> scenario(m, d, q, batch, CONTEXTS[k], Phase.DECODE));
      case BATCH:
        return sweep(BATCHES.length, k -> scenario(m, d, q, BATCHES[k], context, Phase.DECODE));
      case PROMPT:
        return sweep(PROMPTS.length, k -> scenario(m, d, q, 1, PROMPTS[k], Phase.PREFILL));
      case BATCH_PREFILL:
        return sweep(BATCHES.length, k -> scenario(m, d, q, BATCHES[k], context, Phase.PREFILL));
      case BUILD_MONTH:
      case BUILD_MONTH_PREFILL:
        // a later build of one engine on one device: not slower (see PhysicsConstraints)
        return sweep(BUILDS.length, k -> {
          Scenario s = scenario(m, d, q, batch, context, axis.phase);
          dev.tuner.core.scenario.EngineSettings e = s.engine();
          return s.withEngine(new dev.tuner.core.scenario.EngineSettings(e.nUbatch(), e.flashAttention(),
              e.backend(), e.build(), Optional.of(BUILDS[k]), e.blas()));
        });
      case PIPELINE:
        // a decode step's pipeline stages run one after another: more of them never make a token sooner
        if (d.interconnectGBs().isEmpty() || m.layers() < PIPELINE_STAGES[PIPELINE_STAGES.length - 1]) {
          return null;
        }
        return sweep(PIPELINE_STAGES.length, k -> scenario(m, d, q, batch, context, Phase.DECODE)
            .withParallel(new ParallelLayout(PIPELINE_STAGES[k], 1, PIPELINE_STAGES[k], 1)));
      case SHARED_EXPERTS_BATCH:
      case SHARED_EXPERTS_BANDWIDTH:
        // four replicas routing their tokens over one set of experts on all four devices step together
        // (ReplicaShares): the aggregate still rises with the batch and with the bandwidth
        if (d.interconnectGBs().isEmpty() || !m.moe().isMoe() || m.moe().experts() % SHARED.ep() != 0) {
          return null;
        }
        return axis == Axis.SHARED_EXPERTS_BATCH
            ? sweep(BATCHES.length, k -> scenario(m, d, q, BATCHES[k], context, Phase.DECODE).withParallel(SHARED))
            : sweep(SCALES.length, k -> scenario(m, scaled(d, "BANDWIDTH", SCALES[k]), q, batch, context,
                Phase.DECODE).withParallel(SHARED));
      case DEPTH:
      case DEPTH_PREFILL:
        // tokens already cached before the window: more of them to read and attend over, never fewer to compute
        return sweep(DEPTHS.length, k -> scenario(m, d, q, batch, context, axis.phase).withDepth(DEPTHS[k]));
      default:
        OptionalDouble[] peaks = {d.fp16Tflops(), d.fp8Tflops(), d.fp32Tflops(), d.int8Tops(), d.fp4Tflops()};
        String name = axis.name().replace("_PREFILL", "");
        if (!name.equals("BANDWIDTH") && peaks[List.of("FP16", "FP8", "FP32", "INT8", "FP4").indexOf(name)]
            .isEmpty()) {
          if (d.fp16Tflops().isEmpty() || !(name.equals("INT8") || name.equals("FP4"))) {
            return null;
          }
          // few catalogued devices state these peaks yet: the others are swept as if they had the FP16 figure
          return sweep(SCALES.length, k -> scenario(m, withPeak(d, name, d.fp16Tflops().getAsDouble() * SCALES[k]),
              q, batch, context, axis.phase));
        }
        return sweep(SCALES.length, k -> scenario(m, scaled(d, name, SCALES[k]), q, batch, context, axis.phase));
    }
  }

  private interface Point {
    Scenario at(int k);
  }

  private static Scenario[] sweep(int n, Point p) {
    Scenario[] out = new Scenario[n];
    for (int k = 0; k < n; k++) {
      out[k] = p.at(k);
    }
    return out;
  }

  private static Scenario scenario(ModelSpec m, DeviceSpec d, Quantization q, int batch, int context, Phase phase) {
    return new Scenario(m, d, q, KvCacheType.F16, batch, context, phase, false, Optional.empty(), false);
  }

  private static DeviceSpec scaled(DeviceSpec d, String what, double s) {
    UnaryOperator<OptionalDouble> x = v -> v.isPresent() ? OptionalDouble.of(v.getAsDouble() * s) : v;
    return new DeviceSpec(d.name(), d.vendor(), what.equals("BANDWIDTH") ? d.memBandwidthGBs() * s
        : d.memBandwidthGBs(), what.equals("FP16") ? x.apply(d.fp16Tflops()) : d.fp16Tflops(),
        what.equals("FP8") ? x.apply(d.fp8Tflops()) : d.fp8Tflops(),
        what.equals("FP32") ? x.apply(d.fp32Tflops()) : d.fp32Tflops(), d.computeUnits(), d.l2CacheMb(),
        d.memoryGb(), d.aliases(), d.source(), d.chipFamily(),
        what.equals("FP4") ? x.apply(d.fp4Tflops()) : d.fp4Tflops(),
        what.equals("INT8") ? x.apply(d.int8Tops()) : d.int8Tops(), d.interconnect(), d.interconnectGBs());
  }

  private static DeviceSpec withPeak(DeviceSpec d, String what, double tflops) {
    OptionalDouble v = OptionalDouble.of(tflops);
    return new DeviceSpec(d.name(), d.vendor(), d.memBandwidthGBs(), d.fp16Tflops(), d.fp8Tflops(), d.fp32Tflops(),
        d.computeUnits(), d.l2CacheMb(), d.memoryGb(), d.aliases(), d.source(), d.chipFamily(),
        what.equals("FP4") ? v : d.fp4Tflops(), what.equals("INT8") ? v : d.int8Tops(), d.interconnect(),
        d.interconnectGBs());
  }

  /** Past saturation: the prompt is long enough that compute, not memory, bounds it. */
  private boolean computeBound(Scenario s) {
    RooflineResult r = roofline.computeFigures(s);
    return r.memoryRoof() >= r.computeRoof();
  }

  private static String describe(Scenario s, double tps) {
    return String.format(java.util.Locale.ROOT,
        "%s on %s (%s, bw %.0f, batch %d, context %d, depth %d, %s): %.2f tok/s", s.model().name(),
        s.device().name(), s.quant().name(), s.device().memBandwidthGBs(), s.batch(), s.context(), s.depth(),
        s.phase().id(), tps);
  }
}
