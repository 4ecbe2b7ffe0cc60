package dev.tuner.core.recommend;

import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;

/**
 * The device memory one decode configuration keeps resident, in bytes.
 *
 * <ul>
 *   <li>weights: {@code params × bits_per_weight / 8} (the quantization's true bits, block scales included);
 *   <li>KV cache: {@code batch × context × layers × kv_heads × head_dim × 2 × bytes_per_element}, the full cache of
 *       every sequence at the full context (the 2 is K and V);
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
  public static final String RULE = "weights (params × bits/8) + KV cache (batch × context × layers × kv_heads × "
      + "head_dim × 2 × bytes/element) + overhead (0.5 GiB + 5% of weights); capacities in GiB";

  public static MemoryEstimate of(ModelSpec model, Quantization quant, KvCacheType kv, int batch, int context) {
    double weights = model.paramsB() * 1e9 * quant.bytesPerWeight();
    boolean known = model.knowsKvShape();
    double kvBytes = known
        ? (double) batch * context * model.layers() * model.kvHeads() * model.effectiveHeadDim() * 2.0
            * kv.bytesPerElement()
        : 0;
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
}
