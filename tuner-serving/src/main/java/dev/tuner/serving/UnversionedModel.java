package dev.tuner.serving;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A model a serving row names without its version, where the catalog holds only versions of it ("Mistral 7B": "Mistral
 * 7B v0.1", "v0.2", "v0.3"). The row is usable when every version computes the same for its context: the same shape,
 * experts and attention, parameters within 2% and vocabulary within 5% (an LM head a few percent larger), and no
 * sliding window that the row's longest request reaches. It is then predicted as the first version the catalog lists;
 * otherwise it names which figure the versions differ in (data/SOURCES.md, {@code model_mistral7b_common}).
 */
final class UnversionedModel {
  private UnversionedModel() {}

  /**
   * The version to predict {@code name} with at {@code context} tokens (prompt and output of the longest request),
   * empty when the catalog has no version of that name.
   *
   * @throws ServingCsv.Reject when the versions differ for this context
   */
  static Optional<ModelSpec> resolve(Catalog catalog, String name, int context) {
    String prefix = name.trim().toLowerCase(Locale.ROOT) + " v";
    List<ModelSpec> versions = catalog.models().entries().stream()
        .filter(m -> m.name().toLowerCase(Locale.ROOT).startsWith(prefix) && m.name().length() > prefix.length()
            && Character.isDigit(m.name().charAt(prefix.length())))
        .toList();
    if (versions.isEmpty()) {
      return Optional.empty();
    }
    ModelSpec first = versions.get(0);
    for (ModelSpec v : versions) {
      String differs = difference(first, v, context);
      if (!differs.isEmpty()) {
        throw new ServingCsv.Reject("model '" + name.trim() + "' names " + versions.size() + " catalog versions ("
            + String.join(", ", versions.stream().map(ModelSpec::name).toList()) + ") that differ at " + context
            + " tokens: " + differs);
      }
    }
    return Optional.of(first);
  }

  /** What {@code a} and {@code b} compute differently at {@code context} tokens, or the empty string. */
  static String difference(ModelSpec a, ModelSpec b, int context) {
    if (a.hidden() != b.hidden() || a.layers() != b.layers() || a.heads() != b.heads() || a.kvHeads() != b.kvHeads()
        || a.headDim() != b.headDim() || a.ffnDim() != b.ffnDim()) {
      return "shape (hidden, layers, heads, KV heads, head dimension or FFN)";
    }
    if (!a.moe().equals(b.moe())) {
      return "experts";
    }
    if (!reached(a.attention(), context).equals(reached(b.attention(), context))) {
      int window = Math.max(a.attention().slidingWindow(), b.attention().slidingWindow());
      return window > 0 && window < context
          ? "attention (a sliding window of " + window + " tokens that the row's context reaches)"
          : "attention (its kind, latent rank or layers)";
    }
    if (Math.abs(a.paramsB() / b.paramsB() - 1) > 0.02) {
      return "parameters (" + a.paramsB() + " and " + b.paramsB() + " billion)";
    }
    if (a.vocab() == 0 || b.vocab() == 0 || Math.abs((double) a.vocab() / b.vocab() - 1) > 0.05) {
      return "vocabulary (" + a.vocab() + " and " + b.vocab() + ")";
    }
    return "";
  }

  /** The attention as a context of {@code context} tokens sees it: a window it does not reach is no window. */
  private static AttentionSpec reached(AttentionSpec s, int context) {
    if (s.slidingWindow() == 0 || s.slidingWindow() >= context) {
      return new AttentionSpec(s.kind(), s.kvLoraRank(), s.ropeHeadDim(), 0, 0, s.linearLayers(), s.linearStateDim());
    }
    return s;
  }
}
