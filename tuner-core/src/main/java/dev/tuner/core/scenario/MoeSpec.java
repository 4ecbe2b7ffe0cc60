package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;

/**
 * The mixture-of-experts shape of a model. {@code experts} routed experts per MoE layer, of which
 * {@code expertsPerToken} serve each token; {@code sharedExperts} run for every token; each expert is a gated FFN of
 * inner size {@code expertFfnDim}; the first {@code denseLayers} layers have a dense FFN instead (DeepSeek's
 * first_k_dense_replace). {@link #NONE} (0 experts) is a dense model.
 */
public record MoeSpec(int experts, int expertsPerToken, int sharedExperts, int expertFfnDim, int denseLayers) {
  /** A dense model. */
  public static final MoeSpec NONE = new MoeSpec(0, 0, 0, 0, 0);

  public MoeSpec {
    requireInRange("model experts", experts, 0, 100_000, "routed experts per layer");
    requireInRange("model experts per token", expertsPerToken, 0, Math.max(experts, 0), "(at most the experts)");
    requireInRange("model shared experts", sharedExperts, 0, 1_000, "");
    requireInRange("model expert FFN size", expertFfnDim, 0, 1_000_000, "");
    requireInRange("model dense layers", denseLayers, 0, 10_000, "");
    if (experts > 0 && expertsPerToken == 0) {
      throw new InvalidInputException("model experts per token", "0 (with " + experts + " experts)",
          "the top-k of the router, at least 1 for a mixture of experts");
    }
  }

  public boolean isMoe() {
    return experts > 0;
  }

  /** Whether expert weight bytes can be computed from the shape (else only active parameters can be used). */
  public boolean knowsExpertShape() {
    return isMoe() && expertFfnDim > 0;
  }
}
