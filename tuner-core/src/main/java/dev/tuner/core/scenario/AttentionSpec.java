package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.Objects;

/**
 * The attention layout of a model. {@code kind} says what the KV cache holds (see {@link AttentionKind});
 * {@code kvLoraRank} and {@code ropeHeadDim} are MLA's latent rank and decoupled RoPE key size; {@code localLayers}
 * of the layers attend over a sliding window of {@code slidingWindow} tokens; {@code linearLayers} are
 * linear-attention or state-space layers that keep {@code linearStateDim} state elements per sequence instead of a
 * KV cache. Every figure is 0 when absent or unknown. {@link #STANDARD} is plain full attention.
 */
public record AttentionSpec(
    AttentionKind kind, int kvLoraRank, int ropeHeadDim, int slidingWindow, int localLayers, int linearLayers,
    long linearStateDim) {
  /** Full attention over the whole context on every layer, keys and values per KV head. */
  public static final AttentionSpec STANDARD = new AttentionSpec(AttentionKind.GQA, 0, 0, 0, 0, 0, 0);

  public AttentionSpec {
    Objects.requireNonNull(kind, "attention kind");
    requireInRange("model kv_lora_rank", kvLoraRank, 0, 1_000_000, "");
    requireInRange("model rope_head_dim", ropeHeadDim, 0, 100_000, "");
    requireInRange("model sliding_window", slidingWindow, 0, 1 << 24, "tokens");
    requireInRange("model local_layers", localLayers, 0, 10_000, "");
    requireInRange("model linear_layers", linearLayers, 0, 10_000, "");
    requireInRange("model linear_state_dim", (double) linearStateDim, 0, 1e12, "elements per layer per sequence");
    if (kind == AttentionKind.MLA && kvLoraRank == 0) {
      throw new InvalidInputException("model kv_lora_rank", "0 (with MLA attention)",
          "the rank of MLA's compressed KV latent (512 for DeepSeek-V3)");
    }
    if (kind != AttentionKind.MLA && kvLoraRank > 0) {
      throw new InvalidInputException("model kv_lora_rank", Integer.toString(kvLoraRank),
          "0 unless the attention is mla (it is " + kind.id() + ")");
    }
    if (localLayers > 0 && slidingWindow == 0) {
      throw new InvalidInputException("model sliding_window", "0 (with " + localLayers + " local layers)",
          "the window size in tokens of the local layers");
    }
  }

  /** MLA's cached elements per token per layer: the latent plus the RoPE key. */
  public int mlaElementsPerLayer() {
    return kvLoraRank + ropeHeadDim;
  }
}
