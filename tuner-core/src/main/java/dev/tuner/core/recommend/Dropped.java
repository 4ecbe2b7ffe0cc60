package dev.tuner.core.recommend;

import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.Quantization;

/** A configuration of the grid left out of the recommendation, and why (with the figures in {@code detail}). */
public record Dropped(Quantization quant, KvCacheType kvCache, int batch, Reason reason, String detail) {
  public enum Reason {
    /** Weights, KV cache and overhead exceed the memory capacity. */
    MEMORY,
    /** The per-sequence time per token exceeds the budget. */
    LATENCY,
    /** The model predicts no throughput at all, so no latency can be stated. */
    NO_THROUGHPUT;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
