package dev.tuner.core.catalog;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.roofline.ModelPhysics;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Catalog rows whose shapes were read from published configurations (data/SOURCES.md: model_dots_llm1,
 * model_mistral_small31): the shape figures, and the parameter totals they imply against the counts llama-bench
 * printed for the same files, so a wrong figure in the row shows up as a total that no longer matches.
 */
class FilledModelShapesTest {

  /**
   * dots.llm1: 62 layers (1 dense + 61 MoE), hidden 4096, 32 heads of 128 with 32 KV heads, vocab 152064, untied,
   * dense FFN 10944, 128 routed experts of 1408 (top 6) and 2 shared.
   *
   * <p>Total: embeddings 2 × 152064 × 4096 = 1 245 708 288; attention 4 × 4096² = 67 108 864 per layer (× 62 =
   * 4 160 749 568); the dense FFN 3 × 4096 × 10944 = 134 479 872; per MoE layer 130 experts × 3 × 4096 × 1408 =
   * 2 249 195 520 plus the router 128 × 4096 = 524 288 (× 61 = 137 232 908 288); the sum 142 773 846 016 is
   * 142.774 B without the norms (0.53 M), against the 142.77 B llama-bench prints. Routed experts alone: 61 × 128 ×
   * 3 × 4096 × 1408 = 135 090 143 232. Active: 8 experts instead of 130 per MoE layer,
   * 142 773 846 016 − 61 × 122 × 17 301 504 = 14 016 053 248 = 14.02 B.
   */
  @Test
  void dotsLlm1ShapeAddsUpToItsPrintedParameterCount() {
    ModelSpec m = CATALOG.model("rednote-hilab/dots.llm1.inst");
    assertThat(m.name()).isEqualTo("dots.llm1");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(4096, 62, 32, 32, 128, 152064, 10944);
    assertThat(m.moe()).isEqualTo(new MoeSpec(128, 6, 2, 1408, 1));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MHA);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double embeddings = 2.0 * 152064 * 4096;
    double attention = 62 * 4.0 * 4096 * 4096;
    double denseFfn = 3.0 * 4096 * 10944;
    double moe = 61 * (130 * 3.0 * 4096 * 1408 + 128.0 * 4096);
    assertThat(embeddings + attention + denseFfn + moe).isEqualTo(142_773_846_016.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(142_773_846_016.0, within(0.01e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.moeLayers()).isEqualTo(61);
    assertThat(p.routedParams()).isEqualTo(135_090_143_232.0);
    assertThat(m.activeParamsB().getAsDouble() * 1e9)
        .isCloseTo(142_773_846_016.0 - 61 * 122 * 3.0 * 4096 * 1408, within(0.01e9));
    // every layer attends to everything: K and V of 32 heads of 128 per layer
    assertThat(p.kvElements(1)).isEqualTo(62 * 2.0 * 32 * 128);
  }

  /**
   * Mistral Small 3.1 24B: 40 layers, hidden 5120, 32 query heads of 128 (4096 wide, not the hidden size) and 8 KV
   * heads, FFN 32768, vocab 131072, untied.
   *
   * <p>Per layer: q and o 2 × 5120 × 4096 = 41 943 040, k and v 2 × 5120 × 1024 = 10 485 760, FFN 3 × 5120 × 32768 =
   * 503 316 480, two norms 10 240: 555 755 520; × 40 = 22 230 220 800; embeddings 2 × 131072 × 5120 = 1 342 177 280;
   * final norm 5120: 23 572 403 200, exactly the model_n_params llama-bench prints. KV: 40 × 2 × 8 × 128 = 81 920
   * elements per token.
   */
  @Test
  void mistralSmall31ShapeReproducesItsPrintedParameterCountExactly() {
    ModelSpec m = CATALOG.model("mistralai/Mistral-Small-3.1-24B-Instruct-2503");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(5120, 40, 32, 8, 128, 131072, 32768);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.GQA);

    double perLayer = 2.0 * 5120 * 4096 + 2.0 * 5120 * 1024 + 3.0 * 5120 * 32768 + 2 * 5120;
    assertThat(perLayer).isEqualTo(555_755_520.0);
    double total = 40 * perLayer + 2.0 * 131072 * 5120 + 5120;
    assertThat(total).isEqualTo(23_572_403_200.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.kvElements(1)).isEqualTo(81_920.0);
    assertThat(p.embeddingParams()).isEqualTo(131072.0 * 5120);
    assertThat(p.tied()).isFalse();
  }
}
