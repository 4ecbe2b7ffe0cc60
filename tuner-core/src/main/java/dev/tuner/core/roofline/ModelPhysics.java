package dev.tuner.core.roofline;

import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;

/**
 * Where a model's parameters sit and what a step touches, from its {@link ModelSpec}. Counts are in parameters
 * (not bytes) unless named so.
 *
 * <ul>
 *   <li>Embeddings: the {@code vocab × hidden} input table is gathered (one row per token), not streamed; the LM head
 *       ({@code vocab × hidden}, the same matrix when tied) is streamed once per step, and its FLOPs are spent only
 *       on the tokens whose logits are computed. When it is unknown whether they are tied, untied is assumed when the
 *       parameter count allows it (it moves fewer bytes and FLOPs, which keeps the roofline a bound).
 *   <li>Experts: a routed expert is a gated FFN of {@code 3 × hidden × expert_ffn_dim} parameters in each of the
 *       {@code layers − dense_layers} MoE layers. Without the expert FFN size but with the active count, the routed
 *       parameters are {@code (total − active) × E / (E − k)} (the inactive ones are {@code (E − k) / E} of them).
 *       Under uniform routing (the assumption: real routers are skewed, which touches fewer distinct experts and so
 *       keeps this a bound only in expectation), {@code n} tokens touch {@code E · (1 − (1 − k/E)^n)} distinct
 *       experts per MoE layer.
 *   <li>A multi-token-prediction module the weights hold ({@link ModelSpec#mtpParamsB}, GLM-4.5's nextn layer that
 *       llama.cpp loads) sits in the parameter count and in memory; plain decoding never runs it, so no step reads
 *       it: it is left out of the body every token reads (counting it would put the roof below what runs).
 *   <li>KV cache per sequence of length {@code L}: full-attention layers hold {@code L} entries, sliding-window layers
 *       {@code min(L, window)}, linear-attention / state-space layers a constant state of {@code linear_state_dim}
 *       elements; an entry is {@code 2 × kv_heads × head_dim} elements (K and V) or, for MLA, the latent plus the
 *       RoPE key, {@code kv_lora_rank + rope_head_dim}.
 *   <li>Attention FLOPs per query over {@code L} cached tokens: {@code 4 × heads × head_dim} per token per attending
 *       layer (QKᵀ and AV). For MLA this is below both the absorbed and the decompressed form's count, so it stays
 *       a bound.
 * </ul>
 */
public final class ModelPhysics {
  private final ModelSpec model;
  private final double embeddingParams;
  private final boolean tied;
  private final double bodyParams;
  private final double routedParams;
  private final double unreadParams;
  private final double activeBodyParams;
  private final int moeLayers;
  private final boolean routedKnown;
  private final boolean expertLayoutUnknown;
  private final boolean activeKnown;

  public ModelPhysics(ModelSpec model) {
    this.model = model;
    double total = model.paramsB() * 1e9;
    double vh = model.vocab() > 0 && model.hidden() > 0 ? (double) model.vocab() * model.hidden() : 0;
    boolean tiedGuess = model.tiedEmbeddings().orElse(total < 2 * vh + 1);
    double counted = tiedGuess ? vh : 2 * vh;
    if (counted >= total) {
      // a vocabulary and hidden size that the parameter count cannot hold: the figures disagree, count no table
      vh = 0;
      counted = 0;
    }
    this.embeddingParams = vh;
    this.tied = tiedGuess;
    this.bodyParams = total - counted;
    MoeSpec moe = model.moe();
    this.moeLayers = model.layers() > 0 ? model.layers() - moe.denseLayers() : 0;
    double routed = 0;
    if (moe.knowsExpertShape() && model.hidden() > 0 && moeLayers > 0) {
      routed = (double) moeLayers * moe.experts() * 3.0 * model.hidden() * moe.expertFfnDim();
      if (routed >= bodyParams) {
        routed = 0;
      }
    }
    if (routed == 0 && moe.isMoe() && model.activeParamsB().isPresent() && moe.experts() > moe.expertsPerToken()) {
      routed = (total - model.activeParamsB().getAsDouble() * 1e9) * moe.experts()
          / (moe.experts() - moe.expertsPerToken());
      routed = Math.min(routed, bodyParams);
    }
    boolean layoutUnknown = false;
    if (routed == 0 && !moe.isMoe() && model.activeParamsB().isPresent()
        && model.activeParamsB().getAsDouble() < model.paramsB()) {
      // a mixture of experts whose experts are not catalogued: every step reads at least the active weights, and
      // counting only those (no expert ever touched beyond them) keeps the memory roof a bound at any batch
      routed = Math.min(total - model.activeParamsB().getAsDouble() * 1e9, bodyParams);
      layoutUnknown = true;
    }
    this.routedParams = routed;
    double unread = Math.min(model.mtpParamsB() * 1e9, Math.max(0, bodyParams - routed));
    this.unreadParams = unread;
    this.expertLayoutUnknown = layoutUnknown;
    this.routedKnown = !layoutUnknown && (!moe.isMoe() || routed > 0);
    if (model.activeParamsB().isPresent()) {
      this.activeBodyParams = Math.max(0, model.activeParamsB().getAsDouble() * 1e9 - counted);
      this.activeKnown = true;
    } else if (moe.isMoe() && routed > 0) {
      this.activeBodyParams = bodyParams - unread - routed * (moe.experts() - moe.expertsPerToken()) / moe.experts();
      this.activeKnown = true;
    } else {
      this.activeBodyParams = bodyParams - unread;
      this.activeKnown = !moe.isMoe();
    }
  }

  /** The model's parameter count, every table and expert included. */
  public double totalParams() {
    return model.paramsB() * 1e9;
  }

  /** The model's parameters one token uses, embeddings counted as the parameter count counts them. */
  public double activeParams() {
    return activeBodyParams + (tied ? embeddingParams : 2 * embeddingParams);
  }

  /** {@code vocab × hidden}: the input table's (and the LM head's) size; 0 when vocab or hidden is unknown. */
  public double embeddingParams() {
    return embeddingParams;
  }

  /** Whether the embeddings are taken as tied (stated, or assumed untied when the parameter count allows). */
  public boolean tied() {
    return tied;
  }

  /** Parameters outside the embedding table and LM head. */
  public double bodyParams() {
    return bodyParams;
  }

  /** Parameters of the routed experts, all layers; 0 for a dense model or when not derivable. */
  public double routedParams() {
    return routedParams;
  }

  /**
   * Body parameters that every token reads: attention, dense FFNs, shared experts, routers, norms; not a
   * multi-token-prediction module, which no step runs.
   */
  public double denseBodyParams() {
    return bodyParams - routedParams - unreadParams;
  }

  /** Parameters the weights hold that no step reads (a multi-token-prediction module); 0 for most models. */
  public double unreadParams() {
    return unreadParams;
  }

  /** Body parameters one token computes with. */
  public double activeBodyParams() {
    return activeBodyParams;
  }

  public int moeLayers() {
    return moeLayers;
  }

  /** Whether a mixture of experts' routed parameters could be derived (always true for a dense model). */
  public boolean routedKnown() {
    return routedKnown;
  }

  /**
   * Whether the model states active parameters below its total but not its experts: its routed weights are then
   * taken as never read beyond the active ones.
   */
  public boolean expertLayoutUnknown() {
    return expertLayoutUnknown;
  }

  /** Whether the active parameters are known or derivable (always true for a dense model). */
  public boolean activeKnown() {
    return activeKnown;
  }

  /**
   * Distinct routed experts {@code tokens} tokens touch per MoE layer under uniform top-k routing:
   * {@code E · (1 − (1 − k/E)^tokens)}.
   */
  public double expertsTouched(double tokens) {
    MoeSpec moe = model.moe();
    if (!moe.isMoe()) {
      return 0;
    }
    double e = moe.experts();
    return e * touchedShare(moe.expertsPerToken() / e, tokens);
  }

  /**
   * The expected share of a layer's routed experts {@code tokens} tokens touch when each token picks {@code perToken}
   * of them ({@code k / E}) under uniform routing: {@code 1 − (1 − k/E)^tokens}. The serving composition applies it to
   * the expert bytes a GPU holds, as {@link #routedParamsTouched} does to the model's.
   */
  public static double touchedShare(double perToken, double tokens) {
    return 1 - Math.pow(1 - perToken, tokens);
  }

  /** Routed-expert parameters {@code tokens} tokens read, all MoE layers. */
  public double routedParamsTouched(double tokens) {
    if (routedParams == 0 || expertLayoutUnknown) {
      return 0;
    }
    return routedParams * expertsTouched(tokens) / model.moe().experts();
  }

  /**
   * Attention's projection parameters, all layers: what an engine that runs attention data-parallel keeps whole on
   * every attention group. Standard attention (MHA, GQA, with or without a window):
   * {@code hidden × head_dim × (2 heads + 2 kv_heads)} per attending layer (Q and O, K and V); linear-attention
   * layers' projections are not counted. MLA's projections go through ranks the catalog does not hold (the query's
   * LoRA rank), so they are what the dense body keeps beyond the dense layers' FFNs, the shared experts and the
   * routers ({@code hidden} per routed expert per MoE layer), all gated FFNs of {@code 3 × hidden × width}; norms
   * are counted with them. 0 when the figures that needs are unknown (counting none keeps the weights a node reads
   * a lower bound).
   */
  public double attentionParams() {
    AttentionSpec a = model.attention();
    if (a.kind() != AttentionKind.MLA) {
      if (!model.knowsAttentionShape() || model.kvHeads() == 0 || model.hidden() == 0) {
        return 0;
      }
      double perLayer = (double) model.hidden() * model.effectiveHeadDim() * (2.0 * model.heads() + 2.0
          * model.kvHeads());
      return Math.min(perLayer * (model.layers() - a.linearLayers()), denseBodyParams());
    }
    MoeSpec moe = model.moe();
    double h = model.hidden();
    double ffns;
    if (!moe.isMoe()) {
      ffns = model.layers() * 3.0 * h * model.ffnDim();
      if (ffns == 0) {
        return 0;
      }
    } else {
      if (h == 0 || !moe.knowsExpertShape() || !routedKnown || (moe.denseLayers() > 0 && model.ffnDim() == 0)) {
        return 0;
      }
      ffns = moe.denseLayers() * 3.0 * h * model.ffnDim()
          + moeLayers * (moe.sharedExperts() * 3.0 * h * moe.expertFfnDim() + moe.experts() * h);
    }
    return Math.max(0, denseBodyParams() - ffns);
  }

  /** Whether the KV cache can be sized. */
  public boolean knowsKv() {
    AttentionSpec a = model.attention();
    if (a.kind() == AttentionKind.MLA) {
      return model.layers() > 0;
    }
    return model.knowsKvShape() || (model.layers() > 0 && model.layers() == a.linearLayers());
  }

  /** Cached elements per token per attending layer: K and V per KV head, or MLA's latent and RoPE key. */
  public double kvElementsPerLayerToken() {
    AttentionSpec a = model.attention();
    if (a.kind() == AttentionKind.MLA) {
      return a.mlaElementsPerLayer();
    }
    return model.knowsKvShape() ? 2.0 * model.kvHeads() * model.effectiveHeadDim() : 0;
  }

  private int fullLayers() {
    AttentionSpec a = model.attention();
    return Math.max(0, model.layers() - a.localLayers() - a.linearLayers());
  }

  /** KV-cache elements of one sequence at length {@code length}: attending layers' entries plus linear states. */
  public double kvElements(double length) {
    AttentionSpec a = model.attention();
    double entries = fullLayers() * length + a.localLayers() * Math.min(length, a.slidingWindow());
    return entries * kvElementsPerLayerToken() + (double) a.linearLayers() * a.linearStateDim();
  }

  /** The mean of {@link #kvElements} over lengths uniform in {@code [from, to]}: a decode window's mean read. */
  public double meanKvElements(double from, double to) {
    AttentionSpec a = model.attention();
    double entries = fullLayers() * (from + to) / 2 + a.localLayers() * meanMin(from, to, a.slidingWindow());
    return entries * kvElementsPerLayerToken() + (double) a.linearLayers() * a.linearStateDim();
  }

  /** Attention FLOPs of one query over cached lengths uniform in {@code [from, to]} (mean). */
  public double meanAttentionFlops(double from, double to) {
    if (!model.knowsAttentionShape()) {
      return 0;
    }
    AttentionSpec a = model.attention();
    double perToken = 4.0 * model.heads() * model.effectiveHeadDim();
    return perToken * (fullLayers() * (from + to) / 2 + a.localLayers() * meanMin(from, to, a.slidingWindow()));
  }

  /** The mean of {@code min(x, w)} for x uniform in {@code [a, b]}. */
  static double meanMin(double a, double b, double w) {
    if (b <= w) {
      return (a + b) / 2;
    }
    if (a >= w) {
      return w;
    }
    return ((w * w - a * a) / 2 + w * (b - w)) / (b - a);
  }
}
