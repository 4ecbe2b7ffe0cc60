package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * One inference configuration. {@code batch} is the number of concurrent sequences. {@code context} is the largest
 * KV-cache length per sequence in the measured window (decode: the window grows up to it; prefill: the prompt
 * length, which must be at least 1). Decode tokens/s is aggregate over the batch; prefill is prompt tokens/s.
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
    boolean zeroCopy) {

  public static final int MAX_BATCH = 4096;
  public static final int MAX_CONTEXT = 1 << 20;

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
  }

  public Scenario withBatch(int b) {
    return new Scenario(model, device, quant, kvCache, b, context, phase, cudaGraphs, kernel, zeroCopy);
  }

  public Scenario withContext(int c) {
    return new Scenario(model, device, quant, kvCache, batch, c, phase, cudaGraphs, kernel, zeroCopy);
  }

  public Scenario withDevice(DeviceSpec d) {
    return new Scenario(model, d, quant, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy);
  }

  public Scenario withQuant(Quantization q) {
    return new Scenario(model, device, q, kvCache, batch, context, phase, cudaGraphs, kernel, zeroCopy);
  }

  public Scenario withKvCache(KvCacheType k) {
    return new Scenario(model, device, quant, k, batch, context, phase, cudaGraphs, kernel, zeroCopy);
  }

  public Scenario withPhase(Phase p) {
    return new Scenario(model, device, quant, kvCache, batch, context, p, cudaGraphs, kernel, zeroCopy);
  }
}
