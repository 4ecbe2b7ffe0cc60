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
 * model_mistral_small31, model_kimi_k2, model_qwen3coder, model_r1distill_qwen, model_gemma3_270m, model_gemma1,
 * model_qwen15_moe, model_granite31_3b_a800m, model_olmo2_7b, model_qwen2, model_phi2, model_deepseek_v2,
 * model_codellama_13b_34b): the shape figures, and the parameter totals they imply
 * against the counts published for the same checkpoints (llama-bench's model_n_params, a checkpoint's summed tensors,
 * keras-hub's preset counts), so a wrong figure in the row shows up as a total that no longer matches.
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
  /**
   * Kimi K2: DeepSeek-V3's layout with 64 heads, 384 routed experts of 2048 (top 8) plus 1 shared, one leading dense
   * layer of 18432, MLA with a 512 latent and a 64-wide RoPE key, vocab 163840, untied.
   *
   * <p>Per layer, MLA: q = 7168 × 1536 + 1536 (norm) + 1536 × 64 × (128 + 64) = 29 885 952; kv = 7168 × (512 + 64) +
   * 512 (norm) + 512 × 64 × (128 + 128) = 12 517 888; o = 64 × 128 × 7168 = 58 720 256; two norms 14 336: 101 138 432,
   * × 61 = 6 169 444 352. Layer 0's FFN 3 × 7168 × 18432 = 396 361 728. Each of the 60 MoE layers: router 384 × 7168 =
   * 2 752 512 and 385 experts of 3 × 7168 × 2048 = 44 040 192, 16 958 226 432 in all; × 60 = 1 017 493 585 920.
   * Embeddings 2 × 163840 × 7168 = 2 348 810 240, final norm 7168. Total 1 026 408 209 408 (the checkpoint's tensors
   * sum to 1 026 470 731 056 with its FP8 scales and router biases, +0.006%). Routed: 60 × 384 × 44 040 192 =
   * 1 014 686 023 680; active = total − 60 × 376 × 44 040 192 = 32 861 477 888.
   */
  @Test
  void kimiK2ShapeAddsUpToItsCheckpointsParameterCount() {
    ModelSpec m = CATALOG.model("moonshotai/Kimi-K2-Instruct");
    assertThat(m.name()).isEqualTo("Kimi K2");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(7168, 61, 64, 64, 128, 163840, 18432);
    assertThat(m.moe()).isEqualTo(new MoeSpec(384, 8, 1, 2048, 1));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MLA);
    assertThat(new int[] {m.attention().kvLoraRank(), m.attention().ropeHeadDim()}).containsExactly(512, 64);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double q = 7168.0 * 1536 + 1536 + 1536.0 * 64 * (128 + 64);
    double kv = 7168.0 * (512 + 64) + 512 + 512.0 * 64 * (128 + 128);
    double o = 64.0 * 128 * 7168;
    assertThat(new double[] {q, kv, o}).containsExactly(29_885_952, 12_517_888, 58_720_256);
    double expert = 3.0 * 7168 * 2048;
    double total = 61 * (q + kv + o + 2 * 7168) + 3.0 * 7168 * 18432 + 60 * (384.0 * 7168 + 385 * expert)
        + 2.0 * 163840 * 7168 + 7168;
    assertThat(total).isEqualTo(1_026_408_209_408.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.01e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.moeLayers()).isEqualTo(60);
    assertThat(p.routedParams()).isEqualTo(1_014_686_023_680.0);
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(total - 60 * 376 * expert, within(0.01e9));
    // MLA caches the latent and the RoPE key: 512 + 64 elements per token on each of 61 layers
    assertThat(p.kvElements(1)).isEqualTo(61 * 576.0);
  }

  /**
   * Qwen3-Coder-480B-A35B: 62 MoE layers (none dense), hidden 6144, 96 query heads of 128 and 8 KV heads, 160 experts
   * of 2560 (top 8), no shared expert, vocab 151936, untied.
   *
   * <p>Per layer: q and o 2 × 6144 × 12288 = 150 994 944, k and v 2 × 6144 × 1024 = 12 582 912, q/k norms 256, two
   * norms 12 288, router 160 × 6144 = 983 040: 164 573 440 without experts; one expert 3 × 6144 × 2560 = 47 185 920.
   * Total: 62 × (164 573 440 + 160 × 47 185 920) + embeddings 2 × 151936 × 6144 = 1 866 989 568 + final norm 6144 =
   * 480 154 875 392 (the name's 480 B: +0.03%); active with 8 experts 35 474 765 312 (the name's 35 B: +1.4%).
   */
  @Test
  void qwen3Coder480bShapeAddsUpToItsName() {
    ModelSpec m = CATALOG.model("Qwen/Qwen3-Coder-480B-A35B-Instruct");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab()})
        .containsExactly(6144, 62, 96, 8, 128, 151936);
    assertThat(m.moe()).isEqualTo(new MoeSpec(160, 8, 0, 2560, 0));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.GQA);

    double common = 2.0 * 6144 * 12288 + 2.0 * 6144 * 1024 + 256 + 2 * 6144 + 160.0 * 6144;
    assertThat(common).isEqualTo(164_573_440.0);
    double expert = 3.0 * 6144 * 2560;
    double rest = 2.0 * 151936 * 6144 + 6144;
    double total = 62 * (common + 160 * expert) + rest;
    double active = 62 * (common + 8 * expert) + rest;
    assertThat(new double[] {total, active}).containsExactly(480_154_875_392.0, 35_474_765_312.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(active, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.routedParams()).isEqualTo(62 * 160 * expert);
    assertThat(p.kvElements(1)).isEqualTo(62 * 2.0 * 8 * 128);
  }

  /**
   * DeepSeek-R1-Distill-Qwen-1.5B has Qwen2.5-1.5B's layers but does not tie its LM head: 28 layers, hidden 1536, 12
   * query heads of 128 and 2 KV heads, FFN 8960, vocab 151936, q/k/v biases.
   *
   * <p>Per layer: q and o 2 × 1536² = 4 718 592, k and v 2 × 1536 × 256 = 786 432, biases 1536 + 512 = 2 048, FFN
   * 3 × 1536 × 8960 = 41 287 680, norms 3 072: 46 797 824, × 28 = 1 310 339 072. Two tables 2 × 151936 × 1536 =
   * 466 747 392, final norm 1536: 1 777 088 000, the 1.78 B llama-bench prints for its GGUF. One table fewer gives
   * 1 543 714 304, Qwen2.5-1.5B's tied 1.54 B: the name's "1.5B" is the tied base's size.
   */
  @Test
  void r1DistillQwen15bIsUntiedUnlikeItsBase() {
    ModelSpec m = CATALOG.model("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(1536, 28, 12, 2, 128, 151936, 8960);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));
    assertThat(m.architecture()).isNotEqualTo(CATALOG.model("Qwen2.5 1.5B").architecture());

    double perLayer = 2.0 * 1536 * 1536 + 2.0 * 1536 * 256 + 2048 + 3.0 * 1536 * 8960 + 2 * 1536;
    assertThat(perLayer).isEqualTo(46_797_824.0);
    double untied = 28 * perLayer + 2.0 * 151936 * 1536 + 1536;
    assertThat(untied).isEqualTo(1_777_088_000.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(untied, within(0.005e9));
    double tied = untied - 151936.0 * 1536;
    assertThat(CATALOG.model("Qwen2.5 1.5B").paramsB() * 1e9).isCloseTo(tied, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.tied()).isFalse();
    assertThat(p.bodyParams()).isCloseTo(28 * perLayer + 1536, within(0.005e9));
  }

  /**
   * Gemma 3 270M: 18 layers of hidden 640, 4 query heads of 256 and 1 KV head, FFN 2048, vocab 262144, tied; 15
   * layers attend within 512 tokens, 3 (every sixth) to everything.
   *
   * <p>Per layer: q and o 2 × 640 × 1024 = 1 310 720, k and v 2 × 640 × 256 = 327 680, q/k norms 512, FFN
   * 3 × 640 × 2048 = 3 932 160, four norms 2 560: 5 573 632, × 18 = 100 325 376; one table 262144 × 640 = 167 772 160,
   * final norm 640: 268 098 176, keras-hub's count for gemma3_270m exactly. KV at 4096 tokens: (3 × 4096 + 15 × 512)
   * entries × 2 × 1 × 256 = 19 968 × 512 = 10 223 616 elements.
   */
  @Test
  void gemma3270mShapeReproducesKerasHubsCountExactly() {
    ModelSpec m = CATALOG.model("google/gemma-3-270m-it");
    assertThat(m.name()).isEqualTo("Gemma 3 270M");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(640, 18, 4, 1, 256, 262144, 2048);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(true));
    assertThat(new int[] {m.attention().slidingWindow(), m.attention().localLayers()}).containsExactly(512, 15);

    double perLayer = 2.0 * 640 * 1024 + 2.0 * 640 * 256 + 2 * 256 + 3.0 * 640 * 2048 + 4 * 640;
    assertThat(perLayer).isEqualTo(5_573_632.0);
    double total = 18 * perLayer + 262144.0 * 640 + 640;
    assertThat(total).isEqualTo(268_098_176.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.0001e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.tied()).isTrue();
    assertThat(p.kvElements(4096)).isEqualTo((3 * 4096 + 15 * 512) * 2.0 * 256);
    assertThat(p.kvElements(4096)).isEqualTo(10_223_616.0);
  }

  /**
   * Gemma 7B (Gemma 1): 28 layers of hidden 3072, 16 query and 16 KV heads of 256 (4096 wide, wider than the hidden
   * size), GeGLU FFN 24576, vocab 256000, tied.
   *
   * <p>Per layer: q, k, v and o 4 × 3072 × 4096 = 50 331 648, FFN 3 × 3072 × 24576 = 226 492 416, two norms 6 144:
   * 276 830 208, × 28 = 7 751 245 824; one table 256000 × 3072 = 786 432 000, final norm 3072: 8 537 680 896,
   * keras-hub's count for gemma_7b_en exactly. KV: 28 × 2 × 16 × 256 = 229 376 elements per token.
   */
  @Test
  void gemma7bShapeReproducesKerasHubsCountExactly() {
    ModelSpec m = CATALOG.model("google/gemma-7b-it");
    assertThat(m.name()).isEqualTo("Gemma 7B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(3072, 28, 16, 16, 256, 256000, 24576);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(true));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MHA);

    double perLayer = 4.0 * 3072 * 4096 + 3.0 * 3072 * 24576 + 2 * 3072;
    assertThat(perLayer).isEqualTo(276_830_208.0);
    double total = 28 * perLayer + 256000.0 * 3072 + 3072;
    assertThat(total).isEqualTo(8_537_680_896.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.tied()).isTrue();
    assertThat(p.kvElements(1)).isEqualTo(229_376.0);
  }

  /**
   * Qwen1.5-MoE-A2.7B: 24 MoE layers of hidden 2048, 16 heads of 128 with 16 KV heads and q/k/v biases, 60 experts of
   * 1408 (top 4), and one shared expert of 5632 = 4 × 1408 encoded as 4 shared experts; vocab 151936, untied.
   *
   * <p>Per layer: attention 4 × 2048² + biases 3 × 2048 = 16 783 360, norms 4 096, router 60 × 2048 = 122 880, shared
   * expert gate 2 048, shared expert 3 × 2048 × 5632 = 34 603 008, experts 60 × 8 650 752 = 519 045 120: 570 560 512,
   * × 24 = 13 693 452 288; two tables 2 × 151936 × 2048 = 622 329 856, final norm 2048: 14 315 784 192, keras-hub's
   * count exactly. Routed: 24 × 60 × 8 650 752 = 12 457 082 880; active = total − 24 × 56 × 8 650 752 =
   * 2 689 173 504.
   */
  @Test
  void qwen15MoeSharedExpertIsFourExpertWidths() {
    ModelSpec m = CATALOG.model("Qwen/Qwen1.5-MoE-A2.7B-Chat");
    assertThat(m.name()).isEqualTo("Qwen1.5-MoE-A2.7B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab()})
        .containsExactly(2048, 24, 16, 16, 128, 151936);
    assertThat(m.moe()).isEqualTo(new MoeSpec(60, 4, 4, 1408, 0));
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double expert = 3.0 * 2048 * 1408;
    assertThat(4 * expert).isEqualTo(3.0 * 2048 * 5632);
    double perLayer = 4.0 * 2048 * 2048 + 3 * 2048 + 2 * 2048 + 60.0 * 2048 + 2048 + 4 * expert + 60 * expert;
    assertThat(perLayer).isEqualTo(570_560_512.0);
    double total = 24 * perLayer + 2.0 * 151936 * 2048 + 2048;
    assertThat(total).isEqualTo(14_315_784_192.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.moeLayers()).isEqualTo(24);
    assertThat(p.routedParams()).isEqualTo(12_457_082_880.0);
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(total - 24 * 56 * expert, within(0.005e9));
    assertThat(total - 24 * 56 * expert).isEqualTo(2_689_173_504.0);
  }

  /**
   * Granite 3.1 3B-A800M: 32 MoE layers of hidden 1536, 24 query heads of 64 and 8 KV heads, 40 experts of 512 (top
   * 8), no shared expert, vocab 49155, tied.
   *
   * <p>Per layer: q and o 2 × 1536² + k and v 2 × 1536 × 512 = 6 291 456, norms 3 072, router 40 × 1536 = 61 440,
   * experts 40 × 3 × 1536 × 512 = 94 371 840; × 32 = 3 223 289 856; one table 49155 × 1536 = 75 502 080, final norm
   * 1536: 3 298 793 472 (the count published for its Granite Guardian fine-tune). Active, 8 experts: 882 874 368, of
   * which the table is 75 502 080: 807 372 288 without it, IBM's "800M".
   */
  @Test
  void granite31MoeCountsItsTiedTableOnce() {
    ModelSpec m = CATALOG.model("ibm-granite/granite-3.1-3b-a800m-instruct");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab()})
        .containsExactly(1536, 32, 24, 8, 64, 49155);
    assertThat(m.moe()).isEqualTo(new MoeSpec(40, 8, 0, 512, 0));
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(true));

    double expert = 3.0 * 1536 * 512;
    double common = 2.0 * 1536 * 1536 + 2.0 * 1536 * 512 + 2 * 1536 + 40.0 * 1536;
    double table = 49155.0 * 1536;
    double total = 32 * (common + 40 * expert) + table + 1536;
    double active = 32 * (common + 8 * expert) + table + 1536;
    assertThat(new double[] {total, active}).containsExactly(3_298_793_472.0, 882_874_368.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(active, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.tied()).isTrue();
    assertThat(p.routedParams()).isEqualTo(32 * 40 * expert);
    assertThat(p.activeParams()).isCloseTo(active, within(0.005e9));
  }

  /**
   * OLMo 2 7B: 32 layers of hidden 4096, 32 heads of 128 with 32 KV heads, q and k normalised over the full width,
   * FFN 11008, vocab 100352, untied.
   *
   * <p>Per layer: 4 × 4096² = 67 108 864, q/k norms 2 × 4096, FFN 3 × 4096 × 11008 = 135 266 304, two norms 8 192:
   * 202 391 552, × 32 = 6 476 529 664; two tables 2 × 100352 × 4096 = 822 083 584, final norm 4096: 7 298 617 344,
   * the Hugging Face total of OLMo-2-1124-7B-Instruct exactly. KV: 32 × 2 × 32 × 128 = 262 144 elements per token.
   */
  @Test
  void olmo2ShapeReproducesItsHubTotalExactly() {
    ModelSpec m = CATALOG.model("allenai/OLMo-2-1124-7B-Instruct");
    assertThat(m.name()).isEqualTo("OLMo 2 7B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(4096, 32, 32, 32, 128, 100352, 11008);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double perLayer = 4.0 * 4096 * 4096 + 2 * 4096 + 3.0 * 4096 * 11008 + 2 * 4096;
    assertThat(perLayer).isEqualTo(202_391_552.0);
    double total = 32 * perLayer + 2.0 * 100352 * 4096 + 4096;
    assertThat(total).isEqualTo(7_298_617_344.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.tied()).isFalse();
    assertThat(p.kvElements(1)).isEqualTo(262_144.0);
  }

  /**
   * Qwen2-57B-A14B: 28 MoE layers of hidden 3584, 28 query heads of 128 and 4 KV heads with q/k/v biases, 64 experts of
   * 2560 (top 8) and one shared expert of 20480 = 8 × 2560 encoded as 8 shared experts; vocab 151936, untied.
   *
   * <p>Per layer: attention 2 × 3584² + 2 × 3584 × 512 + biases 4 608 = 29 364 736, norms 7 168, router 64 × 3584 =
   * 229 376, shared gate 3 584, shared expert 3 × 3584 × 20480 = 220 200 960, experts 64 × 27 525 120 = 1 761 607 680:
   * 2 011 413 504, × 28 = 56 319 578 112; two tables 2 × 151936 × 3584 = 1 089 077 248, final norm 3584:
   * 57 408 658 944, the Hugging Face total exactly. Active: total − 28 × 56 × 27 525 120 = 14 249 270 784.
   */
  @Test
  void qwen2MoeSharedExpertIsEightExpertWidths() {
    ModelSpec m = CATALOG.model("Qwen/Qwen2-57B-A14B-Instruct");
    assertThat(m.name()).isEqualTo("Qwen2-57B-A14B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab()})
        .containsExactly(3584, 28, 28, 4, 128, 151936);
    assertThat(m.moe()).isEqualTo(new MoeSpec(64, 8, 8, 2560, 0));
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double expert = 3.0 * 3584 * 2560;
    assertThat(8 * expert).isEqualTo(3.0 * 3584 * 20480);
    double attention = 2.0 * 3584 * 3584 + 2.0 * 3584 * 512 + 3584 + 512 + 512;
    assertThat(attention).isEqualTo(29_364_736.0);
    double perLayer = attention + 2 * 3584 + 64.0 * 3584 + 3584 + 8 * expert + 64 * expert;
    assertThat(perLayer).isEqualTo(2_011_413_504.0);
    double total = 28 * perLayer + 2.0 * 151936 * 3584 + 3584;
    assertThat(total).isEqualTo(57_408_658_944.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.routedParams()).isEqualTo(28 * 64 * expert);
    assertThat(total - 28 * 56 * expert).isEqualTo(14_249_270_784.0);
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(total - 28 * 56 * expert, within(0.005e9));
  }

  /**
   * Phi-2: 32 layers of hidden 2560, 32 heads of 80 (multi-head), an ungated two-matrix GELU FFN of 10240, biases on
   * every projection, one LayerNorm per layer, vocab 51200, untied with a biased LM head.
   *
   * <p>Per layer: q, k, v and dense 4 × (2560² + 2560) = 26 224 640, fc1 2560 × 10240 + 10240 = 26 224 640, fc2
   * 10240 × 2560 + 2560 = 26 216 960, LayerNorm 5 120: 78 671 360, × 32 = 2 517 483 520; table and head 2 × 51200 ×
   * 2560 = 262 144 000, head bias 51 200, final LayerNorm 5 120: 2 779 683 840, the Hugging Face total exactly. A gated
   * FFN of the same width would have been 32 × 2560 × 10240 = 838 860 800 more (3.62 B), which the count rules out.
   * KV: 32 × 2 × 32 × 80 = 163 840 elements per token.
   */
  @Test
  void phi2UngatedFfnAndBiasesAddUpToItsHubTotal() {
    ModelSpec m = CATALOG.model("microsoft/phi-2");
    assertThat(m.name()).isEqualTo("Phi-2");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(2560, 32, 32, 32, 80, 51200, 10240);
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MHA);
    assertThat(m.tiedEmbeddings()).isEqualTo(Optional.of(false));

    double perLayer = 4 * (2560.0 * 2560 + 2560) + (2560.0 * 10240 + 10240) + (10240.0 * 2560 + 2560) + 2 * 2560;
    assertThat(perLayer).isEqualTo(78_671_360.0);
    double total = 32 * perLayer + 2.0 * 51200 * 2560 + 51200 + 2 * 2560;
    assertThat(total).isEqualTo(2_779_683_840.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.kvElements(1)).isEqualTo(163_840.0);
  }

  /**
   * DeepSeek-V2 (236B): 60 layers (1 dense + 59 MoE) of hidden 5120, 128 heads, MLA with a 1536 query latent, a 512
   * KV latent and a 64-wide RoPE key, dense FFN 12288, 160 routed experts of 1536 (top 6) and 2 shared, vocab 102400,
   * untied.
   *
   * <p>Per layer, MLA: q = 5120 × 1536 + 1536 + 1536 × 128 × 192 = 45 614 592; kv = 5120 × 576 + 512 + 512 × 128 × 256
   * = 19 726 848; o = 128 × 128 × 5120 = 83 886 080; norms 10 240: 149 237 760, × 60 = 8 954 265 600. Layer 0's FFN 3 ×
   * 5120 × 12288 = 188 743 680. Each MoE layer: router 160 × 5120 = 819 200 and 162 experts of 23 592 960 =
   * 3 822 059 520; × 59. Tables 2 × 102400 × 5120 = 1 048 576 000, final norm 5120: 235 741 434 880, the Hugging Face
   * total exactly. Active: total − 59 × 154 × 23 592 960 = 21 375 800 320.
   */
  @Test
  void deepSeekV2MlaShapeAddsUpToItsHubTotal() {
    ModelSpec m = CATALOG.model("deepseek-ai/DeepSeek-V2-Chat");
    assertThat(m.name()).isEqualTo("DeepSeek-V2");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(5120, 60, 128, 128, 128, 102400, 12288);
    assertThat(m.moe()).isEqualTo(new MoeSpec(160, 6, 2, 1536, 1));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MLA);
    assertThat(new int[] {m.attention().kvLoraRank(), m.attention().ropeHeadDim()}).containsExactly(512, 64);

    double q = 5120.0 * 1536 + 1536 + 1536.0 * 128 * 192;
    double kv = 5120.0 * 576 + 512 + 512.0 * 128 * 256;
    double o = 128.0 * 128 * 5120;
    assertThat(new double[] {q, kv, o}).containsExactly(45_614_592, 19_726_848, 83_886_080);
    double expert = 3.0 * 5120 * 1536;
    double total = 60 * (q + kv + o + 2 * 5120) + 3.0 * 5120 * 12288 + 59 * (160.0 * 5120 + 162 * expert)
        + 2.0 * 102400 * 5120 + 5120;
    assertThat(total).isEqualTo(235_741_434_880.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));

    ModelPhysics p = new ModelPhysics(m);
    assertThat(p.moeLayers()).isEqualTo(59);
    assertThat(p.routedParams()).isEqualTo(59 * 160 * expert);
    assertThat(total - 59 * 154 * expert).isEqualTo(21_375_800_320.0);
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(total - 59 * 154 * expert, within(0.005e9));
    // the cache holds the 512 latent and the 64-wide RoPE key per token on each of 60 layers
    assertThat(p.kvElements(1)).isEqualTo(60 * 576.0);
  }

  /**
   * CodeLlama 34B: 48 layers of hidden 8192, 64 query heads of 128 and 8 KV heads, FFN 22016, vocab 32000, untied.
   *
   * <p>Per layer: q and o 2 × 8192² = 134 217 728, k and v 2 × 8192 × 1024 = 16 777 216, FFN 3 × 8192 × 22016 =
   * 541 065 216, norms 16 384: 692 076 544, × 48 = 33 219 674 112; tables 2 × 32000 × 8192 = 524 288 000, final norm
   * 8192: 33 743 970 304, the count published for its fine-tune Phind-CodeLlama-34B exactly. KV: 48 × 2 × 8 × 128 =
   * 98 304 elements per token, an eighth of the 64-head multi-head cache.
   */
  @Test
  void codeLlama34bGroupedQueryShapeReproducesItsCount() {
    ModelSpec m = CATALOG.model("codellama/CodeLlama-34b-Instruct-hf");
    assertThat(m.name()).isEqualTo("CodeLlama 34B");
    assertThat(new int[] {m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.headDim(), m.vocab(), m.ffnDim()})
        .containsExactly(8192, 48, 64, 8, 128, 32000, 22016);
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.GQA);

    double perLayer = 2.0 * 8192 * 8192 + 2.0 * 8192 * 1024 + 3.0 * 8192 * 22016 + 2 * 8192;
    assertThat(perLayer).isEqualTo(692_076_544.0);
    double total = 48 * perLayer + 2.0 * 32000 * 8192 + 8192;
    assertThat(total).isEqualTo(33_743_970_304.0);
    assertThat(m.paramsB() * 1e9).isCloseTo(total, within(0.005e9));
    assertThat(new ModelPhysics(m).kvElements(1)).isEqualTo(98_304.0);
  }
}
