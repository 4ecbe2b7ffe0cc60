package dev.tuner.core;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/** Shared test builders: hand-made specs and seeded random scenarios. */
public final class Fixtures {
  private Fixtures() {}

  public static final Catalog CATALOG = Catalog.shipped();

  public static DeviceSpec device(double bw, double tflops) {
    // a vector unit at a quarter of the tensor rate, as on GeForce cards
    return new DeviceSpec("test gpu", "TestVendor", bw, OptionalDouble.of(tflops), OptionalDouble.empty(),
        OptionalDouble.of(tflops / 4), 100,
        OptionalDouble.of(50), OptionalDouble.of(80), List.of(), "test");
  }

  /** {@code d} with an NVLink of 450 GB/s per direction: a device a model can be split over. */
  public static DeviceSpec linked(DeviceSpec d) {
    return new DeviceSpec(d.name(), d.vendor(), d.memBandwidthGBs(), d.fp16Tflops(), d.fp8Tflops(), d.fp32Tflops(),
        d.computeUnits(), d.l2CacheMb(), d.memoryGb(), d.aliases(), d.source(), d.chipFamily(), d.fp4Tflops(),
        d.int8Tops(), "NVLink4", OptionalDouble.of(450));
  }

  public static ModelSpec model(double paramsB) {
    return new ModelSpec("test " + paramsB + "B", paramsB, 4096, 32, 32, 8, 128, 32000, List.of(), "test", null,
        OptionalDouble.empty(), Optional.of(false), 0, MoeSpec.NONE, AttentionSpec.STANDARD);
  }

  public static Quantization quant(double bits, QuantClass c) {
    return new Quantization("test-q" + bits, bits, c, Activation.FP16, List.of(), "test");
  }

  public static Scenario scenario(ModelSpec m, DeviceSpec d, Quantization q, int batch, int context, Phase phase) {
    return new Scenario(m, d, q, KvCacheType.F16, batch, context, phase, false, Optional.empty(), false);
  }

  /** A random valid scenario over the whole accepted input space, mixing catalog entries and made-up specs. */
  public static Scenario random(SplittableRandom r) {
    List<DeviceSpec> devices = CATALOG.devices().entries();
    List<ModelSpec> models = CATALOG.models().entries();
    List<Quantization> quants = CATALOG.quants().entries();
    DeviceSpec d = r.nextInt(4) == 0
        ? new DeviceSpec("random", r.nextBoolean() ? "NVIDIA" : "", logUniform(r, 1, 100_000),
            r.nextBoolean() ? OptionalDouble.of(logUniform(r, 0.001, 100_000)) : OptionalDouble.empty(),
            r.nextBoolean() ? OptionalDouble.of(logUniform(r, 0.001, 200_000)) : OptionalDouble.empty(),
            r.nextBoolean() ? OptionalDouble.of(logUniform(r, 0.001, 100_000)) : OptionalDouble.empty(),
            r.nextInt(0, 100_001), r.nextBoolean() ? OptionalDouble.of(logUniform(r, 0.001, 100_000))
                : OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "random")
        : devices.get(r.nextInt(devices.size()));
    ModelSpec m;
    if (r.nextInt(4) == 0) {
      int heads = r.nextInt(0, 200);
      m = new ModelSpec("random", logUniform(r, 0.01, 10_000), r.nextInt(0, 100_000), r.nextInt(0, 500), heads,
          heads == 0 ? r.nextInt(0, 64) : r.nextInt(0, heads + 1), r.nextInt(0, 1024), r.nextInt(0, 1_000_000),
          List.of(), "random");
    } else {
      m = models.get(r.nextInt(models.size()));
    }
    Phase phase = r.nextBoolean() ? Phase.DECODE : Phase.PREFILL;
    int context = (int) Math.min(Scenario.MAX_CONTEXT, logUniform(r, 1, Scenario.MAX_CONTEXT));
    if (phase == Phase.DECODE && r.nextInt(10) == 0) {
      context = 0;
    }
    int depth = r.nextInt(4) == 0 ? r.nextInt(0, Scenario.MAX_CONTEXT - context + 1) : 0;
    ParallelLayout layout = ParallelLayout.SINGLE;
    if (r.nextInt(4) == 0) {
      int tp = 1 << r.nextInt(4);
      int pp = m.layers() > 0 ? Math.min(1 << r.nextInt(3), Integer.highestOneBit(m.layers())) : 1 << r.nextInt(3);
      int count = tp * pp * (1 << r.nextInt(3));
      // experts are placed only on a mixture of experts, and whole (ParallelLayout.whyNotPlaced)
      int experts = m.moe().experts();
      int ep = 1;
      if (m.moe().isMoe()) {
        int most = Integer.numberOfTrailingZeros(count);
        if (experts > 0) {
          most = Math.min(most, Integer.numberOfTrailingZeros(experts));
        }
        ep = 1 << r.nextInt(most + 1);
      }
      // a split needs a link of stated bandwidth (ParallelLayout.requireLinkForSplit); without one, replicas only
      layout = d.interconnectGBs().isPresent() ? new ParallelLayout(count, tp, pp, ep)
          : new ParallelLayout(count, 1, 1, 1);
    }
    // any backend the device's vendor can run: another vendor's is refused (Backend.runsOn)
    List<Backend> backends = java.util.Arrays.stream(Backend.values()).filter(b -> b.runsOn(d)).toList();
    Backend backend = backends.get(r.nextInt(backends.size()));
    // flash attention on or not stated: stated off, a q8_0 or q4_0 cache is refused (EngineSettings.forKvCache)
    EngineSettings engine = EngineSettings.of(1 << r.nextInt(4, 13), r.nextBoolean() ? Boolean.TRUE : null, backend,
        "");
    // CUDA graphs only where llama.cpp captures them
    boolean graphs = r.nextBoolean() && backend.capturesGraphs();
    return new Scenario(m, d, quants.get(r.nextInt(quants.size())),
        KvCacheType.values()[r.nextInt(KvCacheType.values().length)],
        (int) Math.min(Scenario.MAX_BATCH, logUniform(r, 1, Scenario.MAX_BATCH)), context, phase, graphs,
        r.nextBoolean() ? Optional.empty() : Optional.of(dev.tuner.core.scenario.KernelType.values()[r.nextInt(16)]),
        r.nextBoolean() && Scenario.allowsZeroCopy(d), depth, layout, engine);
  }

  /**
   * {@code s} without the settings {@code p}'s model does not read (a kernel, CUDA graphs), which it refuses: the
   * scenario as a caller of that model would state it.
   */
  public static Scenario answerableBy(dev.tuner.core.predict.Predictor p, Scenario s) {
    boolean graphs = s.cudaGraphs() && p.reads(dev.tuner.core.schema.Quantity.CUDA_GRAPHS);
    Optional<dev.tuner.core.scenario.KernelType> kernel = p.reads(dev.tuner.core.schema.Quantity.KERNEL) ? s.kernel()
        : Optional.empty();
    return new Scenario(s.model(), s.device(), s.quant(), s.kvCache(), s.batch(), s.context(), s.phase(), graphs,
        kernel, s.zeroCopy(), s.depth(), s.parallel(), s.engine());
  }

  public static double logUniform(SplittableRandom r, double min, double max) {
    return Math.exp(Math.log(min) + r.nextDouble() * (Math.log(max) - Math.log(min)));
  }
}
