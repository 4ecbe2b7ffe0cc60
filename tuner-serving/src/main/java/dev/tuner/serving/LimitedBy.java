package dev.tuner.serving;

import java.util.Locale;

/** What sets a serving prediction's throughput. */
public enum LimitedBy {
  /** The KV cache cannot hold more concurrent requests (or the weights do not fit). */
  MEMORY_CAPACITY,
  /** Iterations are bound by memory bandwidth. */
  BANDWIDTH,
  /** Iterations are bound by arithmetic. */
  COMPUTE,
  /** Iterations are bound by GPU-to-GPU traffic. */
  INTERCONNECT,
  /** The engine's sequence or tokens-per-iteration limit caps the batch. */
  ENGINE_BATCH_LIMIT,
  /** The engine's fixed per-iteration time dominates. */
  ENGINE_OVERHEAD,
  /** Fewer requests arrive than the deployment could serve. */
  ARRIVAL_RATE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
