package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * One inference configuration. {@code batch} is the number of concurrent sequences. {@code context} is the measured
 * window per sequence (decode: tokens generated; prefill: the prompt length, which must be at least 1);
 * {@code depth} is the tokens already in each sequence's KV cache before the window (llama-bench's
 * {@code -d}), so the window attends over {@code depth} cached tokens plus its own. Decode tokens/s is aggregate over
 * the batch; prefill is prompt tokens/s. {@code parallel} spreads the model over several devices; {@code engine}
 * holds the engine switches (llama-bench's defaults unless stated; a q8_0 or q4_0 cache takes flash attention on
 * unless it was stated off, which is refused: {@link EngineSettings#forKvCache}). {@code zeroCopy} (weights read in
 * place from host memory) is accepted only where its rate is known: unified memory, where it changes nothing, or a
 * PCIe device with its link's bandwidth, which then bounds the weight reads.
 */
public record Scenario(
    ModelSpec model,
    DeviceSpec device,
    Quantization quant,
    KvCacheType kvCache,
    int batch,
    int context,
    Phase phase,
    boolean cudaGraphs,
    Optional<KernelType> kernel,
    boolean zeroCopy,
    int depth,
    ParallelLayout parallel,
    EngineSettings engine) {

  public static final int MAX_BATCH = 4096;
  public static final int MAX_CONTEXT = 1 << 20;

  /** A scenario on one device, from an empty cache, with the engine's defaults. */
  public Scenario(
      ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kvCache, int batch, int context,
      Phase phase, boolean cudaGraphs, Optional<KernelType> kernel, boolean zeroCopy) {
    this(model, device, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, 0,
        ParallelLayout.SINGLE, EngineSettings.DEFAULTS);
  }

  public Scenario {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(device, "device");
    if (quant == null) {
      throw new InvalidInputException("quantization", "unset", "a quantization such as Q4_K_M, Q8_0, F16 or FP8");
    }
    Objects.requireNonNull(kvCache, "kv-cache type");
    requireInRange("batch", batch, 1, MAX_BATCH, "sequences");
    Objects.requireNonNull(phase, "phase");
    requireInRange("context", context, phase == Phase.PREFILL ? 1 : 0, MAX_CONTEXT, "tokens");
    Objects.requireNonNull(kernel, "kernel");
    requireInRange("depth", depth, 0, MAX_CONTEXT - context,
        "tokens (cached before the window; depth + context at most " + MAX_CONTEXT + ")");
    Objects.requireNonNull(parallel, "parallel layout");
    Objects.requireNonNull(engine, "engine settings");
    engine = engine.forKvCache(kvCache);
    engine.backend().requireRunsOn(device);
    ParallelLayout.requireLinkForSplit(device, parallel.splits());
    parallel.whyNotPlaced(model).ifPresent(why -> {
      throw new InvalidInputException("layout", parallel.describe() + " of " + model.name(),
          "a split that gives every stage and expert rank its share: " + why);
    });
    if (zeroCopy && !allowsZeroCopy(device)) {
      throw new InvalidInputException("zero-copy", "on " + device.name(),
          "a device whose weights can be read in place at a known rate: unified memory, or a PCIe host link with"
              + " its bandwidth (interconnect \"PCIe…\" and interconnect_gbs); " + device.name() + " has "
              + (device.interconnect().isEmpty() ? "no interconnect figure" : "interconnect \""
                  + device.interconnect() + "\"" + (device.interconnectGBs().isPresent() ? "" : " without GB/s")));
    }
  }

  /** Whether the accelerator reads host memory directly (Apple silicon, or an interconnect stated as unified). */
  public static boolean isUnifiedMemory(DeviceSpec d) {
    return d.interconnect().equalsIgnoreCase("unified") || d.vendor().equalsIgnoreCase("Apple");
  }

  /** Whether zero-copy has a known rate on {@code d}: unified memory, or a PCIe host link with its GB/s. */
  public static boolean allowsZeroCopy(DeviceSpec d) {
    return isUnifiedMemory(d)
        || d.interconnect().toLowerCase(java.util.Locale.ROOT).startsWith("pcie") && d.interconnectGBs().isPresent();
  }

  /** The KV length the window ends at: the cached depth plus the window itself. */
  public int totalContext() {
    return depth + context;
  }

  public Scenario withBatch(int b) {
    return new Scenario(model, device, quant, kvCache, b, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, engine);
  }

  public Scenario withContext(int c) {
    return new Scenario(model, device, quant, kvCache, batch, c, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, engine);
  }

  /** This scenario on {@code d}; an assumed backend was the old device's usual one, so it becomes {@code d}'s. */
  public Scenario withDevice(DeviceSpec d) {
    EngineSettings e = engine.backendAssumed() ? engine.withBackend(Backend.UNKNOWN).withUsualBackend(d) : engine;
    return new Scenario(model, d, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, e);
  }

  public Scenario withQuant(Quantization q) {
    return new Scenario(model, device, q, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, engine);
  }

  public Scenario withKvCache(KvCacheType k) {
    return new Scenario(model, device, quant, k, batch, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, engine);
  }

  public Scenario withPhase(Phase p) {
    return new Scenario(model, device, quant, kvCache, batch, context, p, cudaGraphs, kernel, zeroCopy, depth,
        parallel, engine);
  }

  public Scenario withDepth(int d) {
    return new Scenario(model, device, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, d,
        parallel, engine);
  }

  public Scenario withParallel(ParallelLayout p) {
    return new Scenario(model, device, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        p, engine);
  }

  public Scenario withEngine(EngineSettings e) {
    return new Scenario(model, device, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy, depth,
        parallel, e);
  }
}
