package dev.tuner.core.roofline;

import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;

/**
 * The memory one decode configuration keeps resident on each device, in bytes.
 *
 * <ul>
 *   <li>weights: {@code params × bits_per_weight / 8} (the quantization's true bits, block scales included);
 *   <li>KV cache: the full cache of every sequence at the full context: {@code batch × context × layers × kv_heads ×
 *       head_dim × 2 × bytes_per_element} for full attention (the 2 is K and V), {@code kv_lora_rank +
 *       rope_head_dim} elements per layer per token for MLA, {@code min(context, window)} tokens on sliding-window
 *       layers and a constant state on linear layers (see {@link ModelPhysics});
 *   <li>on several devices ({@link ParallelLayout}): each device holds {@code 1 / (tp × pp)} of the weights but, under
 *       expert parallelism wider than that, {@code 1 / ep} of the routed experts, and {@code 1 / (tp × pp)} of its
 *       replica's KV cache (its replica serves {@code batch / replicas} sequences);
 *   <li>overhead: {@link #FIXED_OVERHEAD_BYTES} (0.5 GiB for the runtime's context, CUDA/Metal kernels and scratch
 *       buffers) plus {@link #WEIGHT_OVERHEAD_FRACTION} (5 %) of the weights for activations, dequantisation and
 *       matmul workspaces, which grow with the layer widths.
 * </ul>
 *
 * <p>Capacities are nominal gigabytes read as GiB (2<sup>30</sup> bytes): accelerator memory is sold in binary
 * sizes (an RTX 4090's "24 GB" is 24 GiB). When the model's KV shape is unknown the KV cache cannot be sized;
 * {@code kvCacheKnown} is then false and the estimate counts none of it, which a caller must say.
 */
public record MemoryEstimate(double weightBytes, double kvCacheBytes, double overheadBytes, boolean kvCacheKnown) {
  /** Bytes in one GiB, the unit of every capacity in tuner. */
  public static final double GIB = 1L << 30;
  /** Fixed part of the overhead: runtime context, kernels and scratch buffers. */
  public static final double FIXED_OVERHEAD_BYTES = 0.5 * GIB;
  /** Share of the weight bytes added for activations and workspaces. */
  public static final double WEIGHT_OVERHEAD_FRACTION = 0.05;
  /** The rule above in one line, for reports. */
  public static final String RULE = "per device: weights (params × bits/8 over tp × pp, routed experts at their own"
      + " bits over ep) + KV cache (batch × context × layers × kv_heads × head_dim × 2 × bytes/element, MLA latent,"
      + " windows and linear states as the model has them, over tp × pp) + overhead (0.5 GiB + 5% of the device's"
      + " weights); capacities in GiB";

  public static MemoryEstimate of(ModelSpec model, Quantization quant, KvCacheType kv, int batch, int context) {
    return of(model, quant, kv, batch, context, ParallelLayout.SINGLE);
  }

  /** The memory of each device when {@code layout} spreads the model. */
  public static MemoryEstimate of(ModelSpec model, Quantization quant, KvCacheType kv, int batch, int context,
      ParallelLayout layout) {
    ModelPhysics physics = new ModelPhysics(model);
    int split = layout.tp() * layout.pp();
    double total = model.paramsB() * 1e9;
    double routed = physics.routedParams();
    double weights = WeightBytes.of(physics, quant).bytes(routed / Math.max(split, layout.ep()),
        (total - routed) / split);
    boolean known = physics.knowsKv();
    double sequences = Math.ceil((double) batch / layout.replicas());
    double kvBytes = known ? sequences * physics.kvElements(context) * kv.bytesPerElement() / split : 0;
    return new MemoryEstimate(weights, kvBytes, FIXED_OVERHEAD_BYTES + WEIGHT_OVERHEAD_FRACTION * weights, known);
  }

  public double totalBytes() {
    return weightBytes + kvCacheBytes + overheadBytes;
  }

  public double totalGib() {
    return totalBytes() / GIB;
  }

  public boolean fitsIn(double capacityGib) {
    return totalBytes() <= capacityGib * GIB;
  }

  /**
   * Why {@code s} cannot run on its device, when its estimate exceeds the device's memory: the prediction of such a
   * step is still given (as if it ran), and a caller must say so. Empty when it fits or the capacity is unknown.
   */
  public static Optional<String> doesNotFit(Scenario s) {
    if (s.device().memoryGb().isEmpty()) {
      return Optional.empty();
    }
    double capacity = s.device().memoryGb().getAsDouble();
    MemoryEstimate m = of(s.model(), s.quant(), s.kvCache(), s.batch(), s.totalContext(), s.parallel());
    if (m.fitsIn(capacity)) {
      return Optional.empty();
    }
    String where = s.parallel().isSingle() ? "" : " per device";
    return Optional.of(String.format(Locale.ROOT, "does not fit: needs %.2f GiB%s (weights %.2f + KV cache %.2f +"
        + " overhead %.2f) but %s has %s GiB; the prediction assumes it runs", m.totalGib(), where,
        m.weightBytes() / GIB, m.kvCacheBytes() / GIB, m.overheadBytes() / GIB, s.device().name(),
        BigDecimal.valueOf(capacity).stripTrailingZeros().toPlainString()));
  }
}
