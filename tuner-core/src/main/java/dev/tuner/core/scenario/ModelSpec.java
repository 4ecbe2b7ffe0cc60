package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.List;
import java.util.Objects;

/**
 * A dense transformer LLM. Parameters in billions; every integer figure is 0 when unknown (the roofline then leaves
 * out what it cannot compute, which keeps it an upper bound, and says so).
 */
public record ModelSpec(
    String name,
    double paramsB,
    int hidden,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocab,
    List<String> aliases,
    String source) {

  public ModelSpec {
    Objects.requireNonNull(name, "model name");
    requireInRange("model parameters", paramsB, 0.01, 10_000, "billion");
    requireInRange("model hidden size", hidden, 0, 1_000_000, "");
    requireInRange("model layers", layers, 0, 10_000, "");
    requireInRange("model attention heads", heads, 0, 10_000, "");
    requireInRange("model KV heads", kvHeads, 0, 10_000, "");
    requireInRange("model head dimension", headDim, 0, 100_000, "");
    requireInRange("model vocabulary", vocab, 0, 100_000_000, "tokens");
    if (heads > 0 && kvHeads > heads) {
      throw new dev.tuner.api.InvalidInputException(
          "model KV heads", Integer.toString(kvHeads), "at most the attention heads (" + heads + ")");
    }
    aliases = List.copyOf(aliases);
    source = source == null ? "" : source;
  }

  /** Head dimension, or hidden / heads when only those are known; 0 when unknown. */
  public int effectiveHeadDim() {
    if (headDim > 0) {
      return headDim;
    }
    return hidden > 0 && heads > 0 ? hidden / heads : 0;
  }

  /** Whether the KV-cache size per token can be computed. */
  public boolean knowsKvShape() {
    return layers > 0 && kvHeads > 0 && effectiveHeadDim() > 0;
  }

  /** Whether attention FLOPs can be computed. */
  public boolean knowsAttentionShape() {
    return layers > 0 && heads > 0 && effectiveHeadDim() > 0;
  }
}
