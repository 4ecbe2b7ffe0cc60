package dev.tuner.core.recommend;

import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.Locale;

/**
 * A configuration of the grid left out of the recommendation, and why. {@code limit} is what it broke: the capacity
 * in GiB for {@link Reason#MEMORY}, the budget in ms per token per sequence for {@link Reason#LATENCY}, the smaller
 * batch that reaches as many tokens/s for {@link Reason#NO_GAIN}, NaN otherwise. {@code tokensPerSecond} is the
 * prediction, NaN when none was made (memory drops are not predicted).
 * The sentence for people is built only when asked for, so that dropping stays cheap.
 */
public record Dropped(
    Quantization quant, KvCacheType kvCache, int batch, Reason reason, MemoryEstimate memory, double limit,
    double tokensPerSecond, ParallelLayout layout) {

  /** A configuration on one device. */
  public Dropped(
      Quantization quant, KvCacheType kvCache, int batch, Reason reason, MemoryEstimate memory, double limit,
      double tokensPerSecond) {
    this(quant, kvCache, batch, reason, memory, limit, tokensPerSecond, ParallelLayout.SINGLE);
  }

  public Dropped {
    java.util.Objects.requireNonNull(layout, "layout");
  }

  public enum Reason {
    /** Weights, KV cache and overhead exceed the memory capacity. */
    MEMORY,
    /** The per-sequence time per token exceeds the budget. */
    LATENCY,
    /** The model predicts no throughput at all, so no latency can be stated. */
    NO_THROUGHPUT,
    /**
     * A smaller batch of the same quantization, KV cache and layout is predicted at least as fast: this one only adds
     * per-sequence latency and memory (a batch beyond the training rows' largest is held at that batch's gain).
     */
    NO_GAIN;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Per-sequence decode latency, {@code 1000 × batch / tokensPerSecond}; NaN without a prediction. */
  public double msPerToken() {
    return 1000.0 * batch / tokensPerSecond;
  }

  /** The figures behind the reason, in one sentence. */
  public String detail() {
    switch (reason) {
      case MEMORY:
        return String.format(Locale.ROOT, "needs %.2f GiB%s (weights %.2f + KV cache %.2f + overhead %.2f) but %s GiB"
            + " is available", memory.totalGib(), layout.isSingle() ? "" : " per device",
            memory.weightBytes() / MemoryEstimate.GIB, memory.kvCacheBytes() / MemoryEstimate.GIB,
            memory.overheadBytes() / MemoryEstimate.GIB, Recommender.compact(limit));
      case LATENCY:
        return String.format(Locale.ROOT, "%.3g ms per token per sequence (%.4g tokens/s over %d sequences) exceeds"
            + " the budget of %s ms", msPerToken(), tokensPerSecond, batch, Recommender.compact(limit));
      case NO_GAIN:
        return String.format(Locale.ROOT, "%.4g tokens/s over %d sequences, no more than batch %d of the same"
            + " configuration reaches: only more latency per sequence and more memory", tokensPerSecond, batch,
            (int) limit);
      default:
        return "the model predicts 0 tokens/s";
    }
  }
}
