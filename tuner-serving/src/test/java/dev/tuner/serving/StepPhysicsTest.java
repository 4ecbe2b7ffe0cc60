package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import org.junit.jupiter.api.Test;

class StepPhysicsTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final StepPhysics PHYSICS = new StepPhysics(new Roofline(CATALOG));

  @Test
  void attentionComputesInTheKvCachesPrecisionNotTheWeights() {
    // a 16-bit cache means 16-bit attention, whatever the GEMMs run at; only an FP8 cache beside FP8 or FP4 GEMMs
    // (FlashAttention 3's FP8 attention, doc_vllm_fp8_kv_attention) runs it in FP8
    assertThat(StepPhysics.attentionActivation(Activation.FP8, KvCacheType.F16)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP8, KvCacheType.FP8)).isEqualTo(Activation.FP8);
    assertThat(StepPhysics.attentionActivation(Activation.FP4, KvCacheType.F16)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP4, KvCacheType.FP8)).isEqualTo(Activation.FP8);
    assertThat(StepPhysics.attentionActivation(Activation.INT8, KvCacheType.FP8)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP16, KvCacheType.FP8)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP32, KvCacheType.F16)).isEqualTo(Activation.FP32);
  }

  @Test
  void fp8WeightsOnAnH20RunTheirGemmsAtTheFp8PeakAndAttentionAtTheFp16One() {
    // data/devices.csv: H20 148 dense FP16 TFLOPS, 296 FP8
    ServingScenario bf16Cache = scenario(KvCacheType.F16);
    InstanceFigures f = PHYSICS.figures(bf16Cache);
    assertThat(f.peakFlops()).isCloseTo(296e12, within(1.0));
    assertThat(f.attentionPeakFlops()).isCloseTo(148e12, within(1.0));
    InstanceFigures fp8Cache = PHYSICS.figures(scenario(KvCacheType.FP8));
    assertThat(fp8Cache.attentionPeakFlops()).isCloseTo(296e12, within(1.0));
  }

  /**
   * A model split over devices puts its collectives on the GPU-to-GPU link; without the link's bandwidth nothing
   * bounds them, so the split is refused (Apple silicon has no peer link: data/devices.csv interconnect "unified").
   * Replicas, which share no activations, need no link.
   */
  /**
   * llama.cpp passes each 512-token chunk of an iteration to the next stage as it takes the following one: 2 048
   * prompt tokens on 2 stages are 4 chunks in 4 + 1 chunk times, 1.6 times faster than the stages one after another
   * (8 chunk times); a decode iteration of 4 tokens is one chunk and gains nothing. vLLM overlaps micro-batches of
   * requests instead ({@link ServingPredictor}), not an iteration's chunks. The hand-off is not overlapped.
   */
  @Test
  void llamaCppOverlapsAnIterationsChunksOverItsPipelineStages() {
    ServingScenario vllm = new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("Q4_K_M"), KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""),
        new ParallelLayout(2, 1, 2, 1), new Workload(Lengths.fixed(500), Lengths.fixed(200), new Load.Concurrency(4)));
    ServingScenario llamaCpp = vllm.withEngine(EngineDefaults.shipped().engine(EngineKind.LLAMA_CPP, "", ""));
    InstanceFigures chunked = PHYSICS.figures(llamaCpp);
    InstanceFigures whole = PHYSICS.figures(vllm);
    assertThat(chunked.pipelineChunk()).isEqualTo(512);
    assertThat(whole.pipelineChunk()).isZero();
    StepTimes prompt = chunked.step(0, 0, 2048, 0);
    StepTimes inTurn = whole.step(0, 0, 2048, 0);
    assertThat(prompt.weights()).isCloseTo(inTurn.weights() / 1.6, within(1e-12));
    assertThat(prompt.compute()).isCloseTo(inTurn.compute() / 1.6, within(1e-12));
    assertThat(prompt.kv()).isCloseTo(inTurn.kv() / 1.6, within(1e-12));
    assertThat(prompt.interconnect()).isEqualTo(inTurn.interconnect());
    assertThat(chunked.step(4, 2000, 0, 0)).isEqualTo(whole.step(4, 2000, 0, 0));
    assertThat(chunked.assumptions()).contains("an iteration's chunks of 512 tokens (llama.cpp's n_ubatch) overlap"
        + " over the pipeline stages, one chunk's stages one after another: a decode iteration gains nothing");
  }

  @Test
  void aSplitNeedsALinkOfStatedBandwidth() {
    ServingScenario apple = new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device(
        "Apple M2 Max (38-core GPU)"), CATALOG.quant("BF16"), KvCacheType.F16, EngineDefaults.shipped().engine(
        EngineKind.VLLM, "", ""), new ParallelLayout(2, 2, 1, 1), new Workload(Lengths.fixed(100), Lengths.fixed(100),
        new Load.Concurrency(4)));
    assertThatThrownBy(() -> PHYSICS.figures(apple))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layout = a model split over several Apple M2 Max (38-core GPU)")
        .hasMessageContaining("has none (interconnect unified)")
        .hasMessageContaining("a GPU-to-GPU link of stated bandwidth");
    assertThatThrownBy(() -> PHYSICS.figures(apple.withLayout(new ParallelLayout(2, 1, 2, 1))))
        .isInstanceOf(InvalidInputException.class);
    assertThat(PHYSICS.figures(apple.withLayout(new ParallelLayout(2, 1, 1, 1))).commBytesPerToken()).isZero();
    // an H100's NVLink has its bandwidth: the split is composed
    ServingScenario h100 = new ServingScenario(apple.model(), CATALOG.device("H100 SXM5 80GB"), apple.quant(),
        apple.kvCache(), apple.engine(), new ParallelLayout(2, 2, 1, 1), apple.workload());
    assertThat(PHYSICS.figures(h100).linkBandwidth()).isPositive();
  }

  /**
   * DeepSeek-R1 in FP8 (1 byte a weight, 2 for the tables) on 8 H200s, tp 8, without and with 8 attention groups
   * (SGLang --enable-dp-attention --dp-size 8). Dense body 15 237 871 104 parameters, 11 388 024 320 of them attention
   * (ModernModelsTest), embeddings 129 280 × 7168 = 926 679 040.
   * <ul>
   *   <li>Weights per GPU: tp 15 237 871 104 / 8 + 926 679 040 × 2 / 8 = 1 904 733 888 + 231 669 760 = 2 136 403 648
   *       bytes; with 8 groups of one rank the attention stays whole on each: (15 237 871 104 − 11 388 024 320) / 8
   *       + 231 669 760 + 11 388 024 320 = 12 100 924 928.
   *   <li>KV cache per token per GPU: MLA's 576-element entry × 61 layers × 2 bytes = 70 272, held whole by every
   *       tensor-parallel rank; a group holds only its own sequences: 70 272 / 8 = 8 784.
   *   <li>Collectives' bytes per token per GPU (hidden 7168 × 2 bytes = 14 336): tp's two all-reduces per layer
   *       61 × 2 × 2 × 7/8 × 14 336 = 3 060 736; the gather and scatter around the FFN 61 × (7/8 + 7/8) × 14 336 =
   *       1 530 368.
   * </ul>
   */
  @Test
  void attentionGroupsKeepTheAttentionWeightsWholeAndOnlyTheirOwnSequencesCache() {
    ServingScenario tp = deepSeekR1OnEightH200s();
    InstanceFigures plain = PHYSICS.figures(tp);
    assertThat(plain.weightBytes()).isCloseTo(2_136_403_648.0, within(1.0));
    assertThat(plain.kvBytesPerToken()).isCloseTo(70_272.0, within(1e-6));
    assertThat(plain.commBytesPerToken()).isCloseTo(3_060_736.0, within(1e-3));
    InstanceFigures groups = PHYSICS.figures(tp.withAttentionDp(8));
    assertThat(groups.weightBytes()).isCloseTo(12_100_924_928.0, within(1.0));
    assertThat(groups.kvBytesPerToken()).isCloseTo(8_784.0, within(1e-6));
    assertThat(groups.commBytesPerToken()).isCloseTo(1_530_368.0, within(1e-3));
    // each group computes its own tokens: the FLOPs per GPU and the experts do not move
    assertThat(groups.flopsPerToken()).isEqualTo(plain.flopsPerToken());
    assertThat(groups.attentionFlopsPerPair()).isEqualTo(plain.attentionFlopsPerPair());
    assertThat(groups.routedBytes()).isEqualTo(plain.routedBytes());
    // two groups of four ranks: the attention split over four, a KV head group's cache over two groups, and an
    // all-reduce inside each group on top: 61 × 2 × 3/4 × 14 336 / 2 = 655 872 more
    InstanceFigures two = PHYSICS.figures(tp.withAttentionDp(2));
    assertThat(two.weightBytes()).isCloseTo(3_849_846_784.0 / 8 + 231_669_760 + 11_388_024_320.0 / 4, within(1.0));
    assertThat(two.kvBytesPerToken()).isCloseTo(35_136.0, within(1e-6));
    assertThat(two.commBytesPerToken()).isCloseTo(61 * (0.5 + 0.875) * 14_336 + 655_872.0, within(1e-3));
  }

  /**
   * Llama 3.1 8B (8.03 B parameters, hidden 4096, vocabulary 128 256, untied) on one H20 (96 GB). Each table holds
   * 128 256 × 4096 = 525 336 576 parameters; the body the other 8 030 000 000 − 2 × 525 336 576 = 6 979 326 848.
   * <ul>
   *   <li>FP8 checkpoint: the body at 1 byte, the LM head at 2 (streamed): 6 979 326 848 + 1 050 673 152 =
   *       8 030 000 000 bytes; the input table at 2 bytes held but gathered: 1 050 673 152 more resident.
   *   <li>Q4_K_M (a GGUF file, 4.8944 bits a weight): the tables quantised with the rest, 7 504 663 424 × 4.89 / 8
   *       streamed; llama.cpp keeps the input table in host memory: nothing gathered on the GPU.
   *   <li>Memory: 96 GiB = 103 079 215 104 bytes.
   * </ul>
   */
  @Test
  void checkpointFormatsKeepTheirTablesInSixteenBitsAndTheInputTableTakesMemoryNotBandwidth() {
    InstanceFigures fp8 = PHYSICS.figures(scenario(KvCacheType.F16));
    assertThat(fp8.weightBytes()).isCloseTo(8_030_000_000.0, within(1.0));
    assertThat(fp8.gatheredBytes()).isCloseTo(1_050_673_152.0, within(1e-3));
    assertThat(fp8.residentWeightBytes()).isCloseTo(9_080_673_152.0, within(1.0));
    assertThat(fp8.memoryBytes()).isEqualTo(103_079_215_104.0);
    ServingScenario gguf = new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H20"),
        CATALOG.quant("Q4_K_M"), KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.LLAMA_CPP, "", ""),
        new ParallelLayout(1, 1, 1, 1), new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(1)));
    InstanceFigures q4 = PHYSICS.figures(gguf);
    assertThat(q4.weightBytes()).isCloseTo(7_504_663_424.0 * CATALOG.quant("Q4_K_M").bitsPerWeight() / 8, within(1.0));
    assertThat(q4.gatheredBytes()).isZero();
    // a 16-bit checkpoint streams its tables at 2 bytes as before and holds the input table beside them
    InstanceFigures bf16 = PHYSICS.figures(new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H20"),
        CATALOG.quant("F16"), KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""),
        new ParallelLayout(1, 1, 1, 1), new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(1))));
    assertThat(bf16.weightBytes()).isCloseTo(2 * 7_504_663_424.0, within(1.0));
    assertThat(bf16.gatheredBytes()).isCloseTo(1_050_673_152.0, within(1e-3));
  }

  /**
   * gpt-oss-120b (36 layers of 128 experts, top 4, hidden and expert width 2880) in BF16 on 4 H100s (3 350 GB/s) at
   * ep 4 and tp 1: 4 replicas of one GPU sharing the experts. Routed parameters 36 × 128 × 3 × 2880 × 2880 =
   * 114 661 785 600, 2 bytes each, a quarter on each GPU: 57 330 892 800 bytes. Each replica's 16 decoding sequences
   * send their tokens to every GPU's experts, so one iteration's reads are what the group's 64 tokens touch,
   * 1 − (31/32)^64 = 0.868916 of them: 49 815 728 186 bytes (16 tokens alone would touch 0.398290: 22 834 303 897).
   * The all-to-alls carry the group's tokens too: each GPU dispatches its own 16 tokens' 4 copies, 3/4 of them to
   * other GPUs, in two all-to-alls per MoE layer: 2 × 36 × 4 × 3/4 × 5 760 bytes = 1 244 160 bytes per token.
   */
  @Test
  void expertsSharedByReplicasAreReadAsFarAsTheWholeGroupsTokensTouchThem() {
    ServingScenario ep = new ServingScenario(CATALOG.model("gpt-oss-120b"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("BF16"), KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""),
        new ParallelLayout(4, 1, 1, 4),
        new Workload(Lengths.fixed(1000), Lengths.fixed(500), new Load.Concurrency(64)));
    InstanceFigures f = PHYSICS.figures(ep);
    assertThat(f.expertGroup()).isEqualTo(4.0);
    assertThat(f.routedBytes()).isCloseTo(57_330_892_800.0, within(1.0));
    assertThat(routedRead(f, 16)).isCloseTo(49_815_728_186.2, within(1.0));
    assertThat(routedRead(f.withExpertGroup(1), 16)).isCloseTo(22_834_303_897.3, within(1.0));
    assertThat(f.commBytesPerToken()).isCloseTo(1_244_160.0, within(1e-6));
    // the same GPUs as one replica of 4 attention groups (tp 4, ep 4): the same experts per GPU, all 64 tokens in
    // its own iteration, the same reads
    InstanceFigures groups = PHYSICS.figures(ep.withLayout(new ParallelLayout(4, 4, 1, 4)).withAttentionDp(4));
    assertThat(groups.expertGroup()).isEqualTo(1.0);
    assertThat(groups.routedBytes()).isEqualTo(f.routedBytes());
    assertThat(routedRead(groups, 64)).isCloseTo(routedRead(f, 16), within(1.0));
  }

  /** The routed-expert bytes one decode iteration of {@code sequences} reads on each GPU. */
  private static double routedRead(InstanceFigures f, double sequences) {
    return f.step(sequences, 0, 0, 0).weights() * f.bandwidth() - f.weightBytes();
  }

  @Test
  void attentionGroupsMustDivideTheTensorParallelRanksAndRunOnAnEngineThatHasThem() {
    ServingScenario tp = deepSeekR1OnEightH200s();
    assertThatThrownBy(() -> tp.withAttentionDp(3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("attention dp = 3")
        .hasMessageContaining("a divisor of tp (8)");
    assertThatThrownBy(() -> tp.withAttentionDp(16)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> PHYSICS.figures(tp.withAttentionDp(8).withEngine(EngineDefaults.shipped().engine(
        EngineKind.VLLM, "", ""))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("attention dp = 8 on vllm")
        .hasMessageContaining("sglang (--enable-dp-attention --dp-size)")
        .hasMessageContaining("whole replicas (the layout's devices N × tp, --devices in the CLI), its ep (--ep in the"
            + " CLI) placing the experts over them");
    // Qwen2.5 7B's 28 heads do not divide among 8 tensor-parallel ranks, but among two groups of 4 they do
    ServingScenario qwen = new ServingScenario(CATALOG.model("Qwen2.5 7B"), CATALOG.device("H200 SXM 141GB"),
        CATALOG.quant("FP8"), KvCacheType.F16, tp.engine(), new ParallelLayout(8, 8, 1, 1), tp.workload());
    assertThatThrownBy(() -> PHYSICS.figures(qwen))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tp 8 does not divide the 28 attention heads");
    assertThat(PHYSICS.figures(qwen.withAttentionDp(2)).weightBytes()).isPositive();
  }

  /** DeepSeek-R1 in FP8 with a 16-bit KV cache on SGLang, tp 8 over 8 H200s, 64 clients of 1 000 + 2 000 tokens. */
  private static ServingScenario deepSeekR1OnEightH200s() {
    return new ServingScenario(CATALOG.model("DeepSeek-R1"), CATALOG.device("H200 SXM 141GB"), CATALOG.quant("FP8"),
        KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""), new ParallelLayout(8, 8, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(2000), new Load.Concurrency(64)));
  }

  private static ServingScenario scenario(KvCacheType kv) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H20"), CATALOG.quant("FP8"), kv,
        EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""), new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(1)));
  }
}
