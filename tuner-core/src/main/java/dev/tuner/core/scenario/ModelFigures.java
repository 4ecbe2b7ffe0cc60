package dev.tuner.core.scenario;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A model's mixture-of-experts and attention figures as a user states them, each {@code null} when not given; given
 * figures replace the catalog entry's one by one (the rest of its {@link MoeSpec} and {@link AttentionSpec} stays),
 * and a model given only by figures starts from a dense model with standard attention. The records they build
 * validate them, so a figure that contradicts another (experts per token above the experts, MLA without a latent
 * rank, local layers without a window) is refused with the field named.
 */
public record ModelFigures(
    Double activeParamsB,
    Integer ffnDim,
    Boolean tiedEmbeddings,
    Integer experts,
    Integer expertsPerToken,
    Integer sharedExperts,
    Integer expertFfnDim,
    Integer denseLayers,
    String attention,
    Integer kvLoraRank,
    Integer ropeHeadDim,
    Integer slidingWindow,
    Integer localLayers,
    Integer linearLayers,
    Long linearStateDim,
    Integer maxContext) {

  /** Nothing given. */
  public static final ModelFigures NONE = new ModelFigures(null, null, null, null, null, null, null, null, null, null,
      null, null, null, null, null, null);

  public boolean isEmpty() {
    return Stream.of(activeParamsB, ffnDim, tiedEmbeddings, experts, expertsPerToken, sharedExperts, expertFfnDim,
        denseLayers, attention, kvLoraRank, ropeHeadDim, slidingWindow, localLayers, linearLayers, linearStateDim,
        maxContext).allMatch(v -> v == null);
  }

  /** The experts: {@code base}'s with the given figures in place of its own. */
  public MoeSpec moe(MoeSpec base) {
    return new MoeSpec(
        pick(experts, base.experts()),
        pick(expertsPerToken, base.expertsPerToken()),
        pick(sharedExperts, base.sharedExperts()),
        pick(expertFfnDim, base.expertFfnDim()),
        pick(denseLayers, base.denseLayers()));
  }

  /** The attention layout: {@code base}'s with the given figures in place of its own. */
  public AttentionSpec attention(AttentionSpec base) {
    AttentionKind kind = attention == null || attention.isBlank() ? base.kind() : AttentionKind.parse(attention);
    // MLA's latent describes only MLA: a model switched to another kind drops the catalog's latent figures
    boolean keepLatent = kind == AttentionKind.MLA;
    return new AttentionSpec(
        kind,
        pick(kvLoraRank, keepLatent ? base.kvLoraRank() : 0),
        pick(ropeHeadDim, keepLatent ? base.ropeHeadDim() : 0),
        pick(slidingWindow, base.slidingWindow()),
        pick(localLayers, base.localLayers()),
        pick(linearLayers, base.linearLayers()),
        linearStateDim != null ? linearStateDim : base.linearStateDim());
  }

  /** The active parameter count: the given one, else {@code base}'s. */
  public OptionalDouble activeParams(OptionalDouble base) {
    return activeParamsB != null ? OptionalDouble.of(activeParamsB) : base;
  }

  public int ffnDim(int base) {
    return pick(ffnDim, base);
  }

  /** The context the model runs at: the given one (a rope-scaled context, say), else {@code base}'s. */
  public OptionalInt maxContext(OptionalInt base) {
    return maxContext != null ? OptionalInt.of(maxContext) : base;
  }

  public Optional<Boolean> tiedEmbeddings(Optional<Boolean> base) {
    return tiedEmbeddings != null ? Optional.of(tiedEmbeddings) : base;
  }

  private static int pick(Integer given, int fallback) {
    return given != null ? given : fallback;
  }
}
