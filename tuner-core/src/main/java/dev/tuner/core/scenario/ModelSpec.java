package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A transformer LLM, dense or mixture-of-experts. Parameters in billions; every integer figure is 0 when unknown
 * (the roofline then leaves out what it cannot compute, which keeps it an upper bound, and says so).
 * {@code architecture} is a key shared by every name of one architecture (the model's own name when unknown);
 * {@code activeParamsB} the parameters one token uses (all of them for a dense model; empty when unknown);
 * {@code tiedEmbeddings} whether the LM head reuses the input embedding (empty when unknown); {@code ffnDim} the dense
 * FFN's inner size; {@code moe} the experts ({@link MoeSpec#NONE} for a dense model); {@code attention} the
 * attention layout ({@link AttentionSpec#STANDARD} unless stated); {@code maxContext} the context its published
 * configuration declares ({@code max_position_embeddings}, GGUF's {@code context_length}), the default limit of every
 * engine (empty when unknown); {@code mtpParamsB} the parameters of a multi-token-prediction module the weights hold
 * and plain decoding never runs (GLM-4.5's nextn layer, which llama.cpp loads and llama-bench counts), inside
 * {@code paramsB}: they take memory and no step reads them (0 when there is none).
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
    String source,
    String architecture,
    OptionalDouble activeParamsB,
    Optional<Boolean> tiedEmbeddings,
    int ffnDim,
    MoeSpec moe,
    AttentionSpec attention,
    OptionalInt maxContext,
    double mtpParamsB) {

  /** A dense model with standard attention, known only by the figures before MoE and attention kinds. */
  public ModelSpec(
      String name, double paramsB, int hidden, int layers, int heads, int kvHeads, int headDim, int vocab,
      List<String> aliases, String source) {
    this(name, paramsB, hidden, layers, heads, kvHeads, headDim, vocab, aliases, source, null,
        OptionalDouble.empty(), Optional.empty(), 0, MoeSpec.NONE, AttentionSpec.STANDARD);
  }

  /** A model whose declared context is unknown. */
  public ModelSpec(
      String name, double paramsB, int hidden, int layers, int heads, int kvHeads, int headDim, int vocab,
      List<String> aliases, String source, String architecture, OptionalDouble activeParamsB,
      Optional<Boolean> tiedEmbeddings, int ffnDim, MoeSpec moe, AttentionSpec attention) {
    this(name, paramsB, hidden, layers, heads, kvHeads, headDim, vocab, aliases, source, architecture, activeParamsB,
        tiedEmbeddings, ffnDim, moe, attention, OptionalInt.empty());
  }

  /** A model without a multi-token-prediction module in its weights. */
  public ModelSpec(
      String name, double paramsB, int hidden, int layers, int heads, int kvHeads, int headDim, int vocab,
      List<String> aliases, String source, String architecture, OptionalDouble activeParamsB,
      Optional<Boolean> tiedEmbeddings, int ffnDim, MoeSpec moe, AttentionSpec attention, OptionalInt maxContext) {
    this(name, paramsB, hidden, layers, heads, kvHeads, headDim, vocab, aliases, source, architecture, activeParamsB,
        tiedEmbeddings, ffnDim, moe, attention, maxContext, 0);
  }

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
    architecture = architecture == null || architecture.isBlank() ? name : architecture.trim();
    Objects.requireNonNull(activeParamsB, "model active parameters");
    if (activeParamsB.isPresent()) {
      requireInRange("model active parameters", activeParamsB.getAsDouble(), 0.001, paramsB,
          "billion (at most the parameters, " + paramsB + ")");
    }
    Objects.requireNonNull(tiedEmbeddings, "model tied embeddings");
    requireInRange("model FFN size", ffnDim, 0, 10_000_000, "");
    Objects.requireNonNull(moe, "model experts");
    Objects.requireNonNull(attention, "model attention");
    Objects.requireNonNull(maxContext, "model maximum context");
    if (maxContext.isPresent()) {
      requireInRange("model maximum context", maxContext.getAsInt(), 1, 100_000_000, "tokens");
    }
    requireInRange("model multi-token-prediction parameters", mtpParamsB, 0, paramsB / 2,
        "billion, part of the parameters (" + paramsB + ")");
    if (layers > 0 && moe.denseLayers() > layers) {
      throw new dev.tuner.api.InvalidInputException("model dense layers", Integer.toString(moe.denseLayers()),
          "at most the layers (" + layers + ")");
    }
    if (layers > 0 && attention.localLayers() + attention.linearLayers() > layers) {
      throw new dev.tuner.api.InvalidInputException("model local + linear layers",
          attention.localLayers() + " + " + attention.linearLayers(), "at most the layers (" + layers + ")");
    }
  }

  /**
   * The parameters one token uses, in billions: the stated active count, else all of them for a dense model;
   * empty for a mixture of experts whose active count is not stated.
   */
  public OptionalDouble activeParams() {
    if (activeParamsB.isPresent()) {
      return activeParamsB;
    }
    return moe.isMoe() ? OptionalDouble.empty() : OptionalDouble.of(paramsB);
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

  /**
   * Why {@code tokens} in one sequence's KV cache lie beyond the context this model declares, if they do: the engines'
   * behaviour there, stated once for the step and the serving predictions (data/SOURCES.md
   * {@code doc_context_limit}).
   */
  public Optional<String> beyondContext(long tokens) {
    if (maxContext.isEmpty() || tokens <= maxContext.getAsInt()) {
      return Optional.empty();
    }
    return Optional.of(String.format(java.util.Locale.ROOT, "%d tokens per sequence exceed the %d-token context %s"
        + " declares: llama.cpp runs it with a warning and llama-server caps a slot there,"
        + " vLLM and SGLang refuse it unless rope scaling (YaRN, where the model documents it) and their override"
        + " extend the context; predicted as the physics of that length", tokens, maxContext.getAsInt(), name));
  }
}
