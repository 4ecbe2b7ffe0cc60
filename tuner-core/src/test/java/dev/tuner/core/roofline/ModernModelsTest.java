package dev.tuner.core.roofline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Issue 13's physics: experts, MLA, sliding windows, linear layers and several devices, pinned by hand. */
class ModernModelsTest {
  private final Roofline roofline = new Roofline(Fixtures.CATALOG);

  /**
   * Qwen3-30B-A3B (its config.json): hidden 2048, 48 layers, 32 heads, 4 KV heads of 128, vocabulary 151 936,
   * untied embeddings, 128 routed experts of which 8 per token, moe_intermediate_size 768, no shared experts. Its
   * total, counted tensor by tensor: experts 48 × 128 × 3 × 2048 × 768 = 28 991 029 248; attention, norms and router
   * 48 × 19 140 864 = 918 761 472; embeddings 2 × 151 936 × 2048 = 622 329 856; final norm 2048:
   * 30 532 122 624 parameters.
   */
  static final ModelSpec QWEN3_30B_A3B = new ModelSpec("Qwen3-30B-A3B", 30.532122624, 2048, 48, 32, 4, 128, 151936,
      List.of(), "t", "qwen3-moe-30b", OptionalDouble.empty(), Optional.of(false), 6144,
      new MoeSpec(128, 8, 0, 768, 0), AttentionSpec.STANDARD);

  private static final Quantization BF16 =
      new Quantization("BF16", 16, QuantClass.F16, Activation.FP16, List.of(), "t");

  /** 30 532 122 624 − 48 × 120 × 4 718 592 inactive expert parameters = 3 353 032 704 (Qwen: "3.3B activated"). */
  @Test
  void qwen3MoeActiveParameters() {
    ModelPhysics p = new ModelPhysics(QWEN3_30B_A3B);
    assertThat(p.routedParams()).isEqualTo(28_991_029_248.0);
    assertThat(p.activeParams()).isCloseTo(3_353_032_704.0, within(1.0));
    assertThat(p.activeBodyParams()).isCloseTo(3_353_032_704.0 - 622_329_856, within(1.0));
  }

  /**
   * GLM-4.5-Air as the catalog holds it: 110.47 B parameters as llama-bench counts the GGUF, 3.62 B of them its
   * multi-token-prediction layer, which llama.cpp loads and plain decoding never runs. Tables 151 552 × 4096 =
   * 620 756 992 each (untied); routed experts 45 × 128 × 3 × 4096 × 1408 = 99 656 663 040; so the body every token
   * reads is 110 470 000 000 − 2 × 620 756 992 − 99 656 663 040 − 3 620 000 000 = 5 951 822 976. A Q4_K_M decode
   * token reads it, 8 of 128 experts (6 228 541 440), the LM head and one gathered row of 4096: 12 801 125 504
   * parameters × 4.8944 / 8 = 7 831 728 583 bytes, where counting the module gave 10.06 GB (a roof 22% lower than
   * what runs). The memory estimate still holds the module: the file loads it.
   */
  @Test
  void aMultiTokenPredictionModuleIsHeldButNotRead() {
    ModelSpec glm = Fixtures.CATALOG.model("GLM-4.5-Air");
    assertThat(glm.mtpParamsB()).isEqualTo(3.62);
    ModelPhysics p = new ModelPhysics(glm);
    assertThat(p.unreadParams()).isCloseTo(3.62e9, within(1.0));
    assertThat(p.denseBodyParams()).isCloseTo(5_951_822_976.0, within(1.0));
    RooflineResult r = roofline.compute(Fixtures.scenario(glm, Fixtures.CATALOG.device("RTX 4090"),
        Fixtures.CATALOG.quant("Q4_K_M"), 1, 0, Phase.DECODE));
    assertThat(r.weightBytes()).isCloseTo(7_831_728_583.3, within(1.0));
    MemoryEstimate held = MemoryEstimate.of(glm, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 1, 0);
    assertThat(held.weightBytes()).isCloseTo(110.47e9 * 4.8944 / 8, within(1.0));
  }

  @Test
  void aModuleOfMoreThanHalfTheParametersIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ModelSpec("m", 10, 4096, 32, 32, 8, 128, 32000,
        List.of(), "t", null, OptionalDouble.empty(), Optional.empty(), 14336, MoeSpec.NONE, AttentionSpec.STANDARD,
        java.util.OptionalInt.empty(), 6))
        .isInstanceOf(dev.tuner.api.InvalidInputException.class)
        .hasMessageContaining("model multi-token-prediction parameters").hasMessageContaining("6");
  }

  /**
   * Expert bytes per decode step in BF16. Batch 1 touches the token's 8 experts per layer: 48 × 8 × 4 718 592 × 2 =
   * 3 623 878 656 bytes. Batch 64 under uniform routing touches 128 × (1 − (120/128)^64) = 125.942 experts per layer:
   * 48 × 125.942 × 4 718 592 × 2 = 57 049 973 924 bytes, nearly all 57.98 GB of experts.
   */
  @Test
  void qwen3MoeExpertBytesAtBatch1And64() {
    DeviceSpec d = Fixtures.device(3350, 989);
    RooflineResult one = roofline.compute(Fixtures.scenario(QWEN3_30B_A3B, d, BF16, 1, 0, Phase.DECODE));
    assertThat(one.detail().expertsTouched()).isCloseTo(8, within(1e-9));
    assertThat(one.detail().expertWeightBytes()).isCloseTo(3_623_878_656.0, within(1e-3));
    RooflineResult many = roofline.compute(Fixtures.scenario(QWEN3_30B_A3B, d, BF16, 64, 0, Phase.DECODE));
    assertThat(many.detail().expertsTouched()).isCloseTo(125.94235, within(1e-5));
    assertThat(many.detail().expertWeightBytes()).isCloseTo(57_049_973_924.4, within(1.0));
    // FLOPs per token from the active parameters: 2 × (3 353 032 704 − 622 329 856) + LM head 2 × 311 164 928
    assertThat(one.flopsPerToken()).isCloseTo(2 * 2_730_702_848.0 + 2 * 311_164_928.0, within(1.0));
    // a prompt of 4096 tokens touches every expert but for 128 × (120/128)^4096 ≈ 0
    RooflineResult prefill = roofline.compute(Fixtures.scenario(QWEN3_30B_A3B, d, BF16, 1, 4096, Phase.PREFILL));
    assertThat(prefill.detail().expertWeightBytes()).isCloseTo(28_991_029_248.0 * 2, within(1.0));
  }

  /**
   * The share of experts a batch touches, which the step roofline and the serving composition both take from
   * {@link ModelPhysics#touchedShare}: top-4 of 128 experts, 16 tokens 1 − (31/32)^16 = 0.398290, 64 tokens
   * 1 − (31/32)^64 = 0.868916; one token its own 4/128.
   */
  @Test
  void theShareOfExpertsABatchTouches() {
    assertThat(ModelPhysics.touchedShare(4.0 / 128, 16)).isCloseTo(0.3982897, within(1e-7));
    assertThat(ModelPhysics.touchedShare(4.0 / 128, 64)).isCloseTo(0.8689160, within(1e-7));
    assertThat(ModelPhysics.touchedShare(4.0 / 128, 1)).isEqualTo(4.0 / 128);
    assertThat(ModelPhysics.touchedShare(0, 64)).isZero();
  }

  /**
   * A mixture of experts known only by its totals (80.39 B, 13 B active, no expert shape: Hunyuan-A13B's catalog row
   * before its configuration was read): a decode step reads at least the 13 B active weights, and reading only those keeps the roof a bound at
   * any batch. BF16, nothing else known: 13e9 × 2 = 26e9 bytes at 3350 GB/s gives 128.846 tokens/s at batch 1 and
   * 64 × 128.846 at batch 64 (the KV cache is unknown, so not counted).
   */
  @Test
  void aMixtureOfExpertsWithoutItsExpertsReadsOnlyItsActiveWeights() {
    ModelSpec m = new ModelSpec("totals only", 80.39, 0, 0, 0, 0, 0, 0, List.of(), "t", null, OptionalDouble.of(13),
        Optional.empty(), 0, MoeSpec.NONE, AttentionSpec.STANDARD);
    DeviceSpec d = Fixtures.device(3350, 989);
    RooflineResult one = roofline.compute(Fixtures.scenario(m, d, BF16, 1, 0, Phase.DECODE));
    assertThat(one.memoryRoof()).isCloseTo(3350e9 / 26e9, within(1e-9));
    RooflineResult many = roofline.compute(Fixtures.scenario(m, d, BF16, 64, 0, Phase.DECODE));
    assertThat(many.memoryRoof()).isCloseTo(64 * 3350e9 / 26e9, within(1e-6));
    assertThat(one.assumptions()).anySatisfy(a -> assertThat(a).contains("expert layout of totals only unknown"));
  }

  /** DeepSeek-V3: 61 layers of MLA, kv_lora_rank 512 + qk_rope_head_dim 64 = 576 f16 elements: 70 272 bytes/token. */
  @Test
  void deepSeekV3MlaKvBytesPerToken() {
    ModelSpec v3 = new ModelSpec("DeepSeek-V3", 671, 7168, 61, 128, 128, 128, 129280, List.of(), "t", "deepseek-v3",
        OptionalDouble.of(37), Optional.of(false), 18432, new MoeSpec(256, 8, 1, 2048, 3),
        new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    ModelPhysics p = new ModelPhysics(v3);
    assertThat(p.kvElements(1) * KvCacheType.F16.bytesPerElement()).isEqualTo(70_272.0);
    RooflineResult r = roofline.compute(Fixtures.scenario(v3, Fixtures.device(8000, 2250), BF16, 1, 1000,
        Phase.PREFILL));
    assertThat(r.kvBytesPerStep()).isEqualTo(1000 * 70_272.0);
    // the stated 37B active: body 37e9 − 2 × 129 280 × 7168 embedding parameters
    assertThat(p.activeBodyParams()).isCloseTo(37e9 - 2 * 129_280.0 * 7168, within(1.0));
  }

  /**
   * DeepSeek-V3's MLA projections as the dense body's remainder: body 671e9 − 2 × 129 280 × 7168 = 669 146 641 920;
   * routed 58 × 256 × 3 × 7168 × 2048 = 653 908 770 816; dense body 15 237 871 104; minus the 3 dense FFNs
   * 3 × 3 × 7168 × 18 432 = 1 189 085 184, the 58 shared experts 58 × 3 × 7168 × 2048 = 2 554 331 136 and the routers
   * 58 × 256 × 7168 = 106 430 464: 11 388 024 320 (DeepSeek's layer: about 187 M of projections, × 61 = 11.4 B).
   * Llama 3.1 8B (GQA): 32 × 4096 × 128 × (2 × 32 + 2 × 8) = 1 342 177 280.
   */
  @Test
  void attentionParametersOfMlaAndGqa() {
    ModelSpec v3 = new ModelSpec("DeepSeek-V3", 671, 7168, 61, 128, 128, 128, 129280, List.of(), "t", "deepseek-v3",
        OptionalDouble.of(37), Optional.of(false), 18432, new MoeSpec(256, 8, 1, 2048, 3),
        new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    assertThat(new ModelPhysics(v3).attentionParams()).isEqualTo(11_388_024_320.0);
    ModelSpec llama = new ModelSpec("Llama 3.1 8B", 8.03, 4096, 32, 32, 8, 128, 128256, List.of(), "t");
    assertThat(new ModelPhysics(llama).attentionParams()).isEqualTo(1_342_177_280.0);
    // MLA without the dense layers' FFN size: the remainder cannot be taken, and none is counted
    ModelSpec noFfn = new ModelSpec("DeepSeek-V3", 671, 7168, 61, 128, 128, 128, 129280, List.of(), "t",
        "deepseek-v3", OptionalDouble.of(37), Optional.of(false), 0, new MoeSpec(256, 8, 1, 2048, 3),
        new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    assertThat(new ModelPhysics(noFfn).attentionParams()).isZero();
  }

  /**
   * A Gemma-3-like pattern: 6 layers, 5 local over a 1024-token window, 1 global. At 4096 tokens the cache holds
   * 4096 + 5 × 1024 = 9216 entries per token-layer slot; a decode window from 0 to 4096 reads on average
   * 2048 + 5 × (1024²/2 + 1024 × 3072) / 4096 = 2048 + 5 × 896 = 6528.
   */
  @Test
  void slidingWindowLayersHoldAtMostTheirWindowAndLinearLayersAConstantState() {
    ModelSpec m = new ModelSpec("windowed", 1, 1024, 6, 8, 2, 128, 0, List.of(), "t", null, OptionalDouble.empty(),
        Optional.empty(), 0, MoeSpec.NONE, new AttentionSpec(AttentionKind.GQA, 0, 0, 1024, 5, 0, 0));
    ModelPhysics p = new ModelPhysics(m);
    double entry = 2.0 * 2 * 128;
    assertThat(p.kvElements(4096)).isEqualTo(9216 * entry);
    assertThat(p.meanKvElements(0, 4096)).isCloseTo(6528 * entry, within(1e-6));
    assertThat(ModelPhysics.meanMin(0, 4096, 1024)).isEqualTo(896);
    ModelSpec hybrid = new ModelSpec("hybrid", 1, 1024, 6, 8, 2, 128, 0, List.of(), "t", null,
        OptionalDouble.empty(), Optional.empty(), 0, MoeSpec.NONE,
        new AttentionSpec(AttentionKind.GQA, 0, 0, 0, 0, 4, 65_536));
    // 2 attention layers × 4096 tokens × 512 + 4 linear layers × 65 536 state elements, whatever the length
    assertThat(new ModelPhysics(hybrid).kvElements(4096)).isEqualTo(2 * 4096 * entry + 4 * 65_536.0);
    assertThat(new ModelPhysics(hybrid).kvElements(0)).isEqualTo(4 * 65_536.0);
  }

  /**
   * Llama 3 70B (70.55B) in FP16: 141.1e9 bytes = 131.41 GiB of weights. One H100 80GB: 131.41 + 0.5 + 6.57 > 80.
   * tp = 2: 65.70 GiB of weights + 0.5 + 3.29 overhead + half of a 4096-token cache (4096 × 80 × 8 × 128 × 2 × 2 /
   * 2 = 0.625 GiB) = 70.12 GiB, which fits.
   */
  @Test
  void seventyBInFp16FitsOnTwoH100sButNotOne() {
    ModelSpec llama70 = new ModelSpec("Llama 3 70B", 70.55, 8192, 80, 64, 8, 128, 128256, List.of(), "t");
    Quantization f16 = new Quantization("F16", 16, QuantClass.F16, Activation.FP16, List.of(), "t");
    MemoryEstimate one = MemoryEstimate.of(llama70, f16, KvCacheType.F16, 1, 4096);
    assertThat(one.weightBytes() / MemoryEstimate.GIB).isCloseTo(131.4096, within(1e-4));
    assertThat(one.fitsIn(80)).isFalse();
    MemoryEstimate two = MemoryEstimate.of(llama70, f16, KvCacheType.F16, 1, 4096, new ParallelLayout(2, 2, 1, 1));
    assertThat(two.weightBytes() / MemoryEstimate.GIB).isCloseTo(65.7048, within(1e-4));
    assertThat(two.kvCacheBytes() / MemoryEstimate.GIB).isCloseTo(0.625, within(1e-9));
    assertThat(two.totalGib()).isCloseTo(65.7048 + 0.5 + 0.05 * 65.7048 + 0.625, within(1e-3));
    assertThat(two.fitsIn(80)).isTrue();
  }

  /**
   * Tensor parallelism over NVLink4 (450 GB/s per direction): Llama 3 70B FP16, batch 1 decode on tp = 2. Each of
   * the 160 all-reduces moves 2 × (2 − 1) / 2 × 8192 × 2 bytes = 16 384 bytes per device: 2 621 440 bytes at 450 GB/s
   * = 5.825 µs, plus 160 × 1 µs latency: 165.825 µs. The weights take 141.1e9 / (2 × 3350 GB/s) = 21.06 ms, so memory
   * binds; the interconnect roof is 1 / 165.825 µs = 6030.4 tokens/s.
   */
  @Test
  void tensorParallelDecodeSplitsTheWeightsAndPaysTwoAllReducesPerLayer() {
    ModelSpec llama70 = new ModelSpec("Llama 3 70B", 70.55, 8192, 80, 64, 8, 128, 128256, List.of(), "t", null,
        OptionalDouble.empty(), Optional.of(false), 28672, MoeSpec.NONE, AttentionSpec.STANDARD);
    Quantization f16 = new Quantization("F16", 16, QuantClass.F16, Activation.FP16, List.of(), "t");
    DeviceSpec h100 = new DeviceSpec("H100", "NVIDIA", 3350, OptionalDouble.of(989), OptionalDouble.of(1979),
        OptionalDouble.of(67), 132, OptionalDouble.of(50), OptionalDouble.of(80), List.of(), "t", "GH100",
        OptionalDouble.empty(), OptionalDouble.of(1979), "NVLink4", OptionalDouble.of(450));
    Scenario single = Fixtures.scenario(llama70, h100, f16, 1, 0, Phase.DECODE);
    Scenario tp2 = single.withParallel(new ParallelLayout(2, 2, 1, 1));
    RooflineResult r = roofline.compute(tp2);
    assertThat(r.detail().collectives()).isEqualTo(160);
    assertThat(r.detail().collectiveBytes()).isEqualTo(160 * 16_384.0);
    assertThat(r.detail().interconnectSeconds()).isCloseTo(160e-6 + 160 * 16_384.0 / 450e9, within(1e-12));
    assertThat(r.interconnectRoof()).isCloseTo(6030.4, within(0.1));
    assertThat(r.bound()).isEqualTo(Bound.MEMORY);
    RooflineResult one = roofline.compute(single);
    assertThat(r.memoryRoof()).isCloseTo(2 * one.memoryRoof(), within(1e-9 * one.memoryRoof()));
    assertThat(one.interconnectRoof()).isInfinite();
    // pipeline stages run one after another for a token: pp = 2 reads the weights no faster than one device
    RooflineResult pp2 = roofline.compute(single.withParallel(new ParallelLayout(2, 1, 2, 1)));
    assertThat(pp2.memoryRoof()).isCloseTo(one.memoryRoof(), within(1e-9 * one.memoryRoof()));
    assertThat(pp2.detail().collectives()).isEqualTo(1);
    // and the serial roof the model predicts a share of is one device's plus the one hand-off (1 µs + 8192 × 2 bytes
    // at 450 GB/s): the second stage's FLOPs wait for the first's
    assertThat(pp2.serialRoof()).isCloseTo(1 / (1 / one.serialRoof() + 1e-6 + 16_384 / 450e9),
        within(1e-9 * one.serialRoof()));
    // a prompt's n_ubatch chunks flow through the stages: a 512-token prompt is one chunk at n_ubatch 512, its two
    // stages one after another, so its roofs are one device's; 4 096 tokens are 8 chunks, which two stages run in
    // (8 + 1) chunk-stage times where one device takes 16: 16/9 of its pace
    Scenario prompt = single.withContext(512).withPhase(Phase.PREFILL);
    RooflineResult prompt1 = roofline.compute(prompt);
    RooflineResult prompt2 = roofline.compute(prompt.withParallel(new ParallelLayout(2, 1, 2, 1)));
    assertThat(prompt2.computeRoof()).isCloseTo(prompt1.computeRoof(), within(1e-9 * prompt1.computeRoof()));
    assertThat(prompt2.memoryRoof()).isCloseTo(prompt1.memoryRoof(), within(1e-9 * prompt1.memoryRoof()));
    Scenario chunks = prompt.withContext(4096);
    RooflineResult chunks1 = roofline.compute(chunks);
    RooflineResult chunks2 = roofline.compute(chunks.withParallel(new ParallelLayout(2, 1, 2, 1)));
    assertThat(chunks1.detail().weightPasses()).isEqualTo(8);
    assertThat(Roofline.pipelineSpeedup(8, 2)).isCloseTo(16.0 / 9, within(1e-15));
    assertThat(chunks2.computeRoof()).isCloseTo(16.0 / 9 * chunks1.computeRoof(), within(1e-9 * chunks1.computeRoof()));
    assertThat(chunks2.memoryRoof()).isCloseTo(16.0 / 9 * chunks1.memoryRoof(), within(1e-9 * chunks1.memoryRoof()));
    // a slow link binds: PCIe-like 1 GB/s with 64 sequences: 160 × (1 µs + 64 × 16 384 / 1e9 s)
    DeviceSpec slow = h100.withInterconnect("PCIe4 x16", OptionalDouble.of(1));
    RooflineResult congested = roofline.compute(tp2.withDevice(slow).withBatch(64));
    assertThat(congested.bound()).isEqualTo(Bound.INTERCONNECT);
    assertThat(congested.tokensPerSecond()).isCloseTo(64 / (160e-6 + 160 * 64 * 16_384.0 / 1e9), within(1e-6));
  }
}
