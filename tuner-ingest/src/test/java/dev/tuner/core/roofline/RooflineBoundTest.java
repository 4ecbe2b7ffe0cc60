package dev.tuner.core.roofline;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 15 section 1: the roofline bounds every real measurement; each formula pinned by hand. */
class RooflineBoundTest {
  private final Roofline roofline = new Roofline(CATALOG);

  /** The P40 as the datasheet gives it: 346 GB/s, 11.76 TFLOPS FP32 (FP16 runs at 1/64), 47 TOPS INT8 (dp4a). */
  private static final DeviceSpec P40 = new DeviceSpec("P40", "NVIDIA", 346, OptionalDouble.of(11.76),
      OptionalDouble.empty(), OptionalDouble.of(11.76), 30, OptionalDouble.of(3), OptionalDouble.of(24), List.of(),
      "t", "GP102", OptionalDouble.empty(), OptionalDouble.of(47), "PCIe3 x16", OptionalDouble.empty());
  /** LLaMA 7B: 6.74B parameters, hidden 4096, 32 layers of 32 heads × 128, vocabulary 32 000, untied. */
  private static final ModelSpec LLAMA_7B = new ModelSpec("LLaMA 7B", 6.74, 4096, 32, 32, 32, 128, 32000, List.of(),
      "t", "llama-7b", OptionalDouble.empty(), Optional.of(false), 11008, MoeSpec.NONE, AttentionSpec.STANDARD);

  private static Quantization quant(String name, double bits, Activation activation) {
    return new Quantization(name, bits, QuantClass.Q4_0, activation, List.of(), "t");
  }

  /**
   * The four P40 pp512 rows of llamacpp_pr4766 that were above the FP16 roof. Per prompt token: 2 × (6.74e9 − 2 ×
   * 32 000 × 4096) = 12 955 712 000 body FLOPs + attention 4 × 32 × 128 × 32 layers × 256 mean cached = 134 217 728
   * + LM head 2 × 131 072 000 / 512 (last token only) = 512 000: 13 090 441 728 FLOPs. At the INT8 (dp4a) 47 TOPS:
   * 47e12 / 13 090 441 728 = 3590.41 tokens/s; at FP32 11.76 TFLOPS it would be 898.37, below the rows measuring
   * 934.74 (Q4_0) and 934.87 (Q4_1). The memory roof is far above: 346 GB/s × 512 / (6 611 025 152 weights ×
   * 4.5 / 8 + 268 435 456 KV bytes) = 44 430.9 tokens/s for Q4_0.
   */
  @ParameterizedTest
  @CsvSource({"Q4_0, 4.5, 934.74", "Q4_1, 5.0, 934.87", "Q4_K_S, 4.58, 870.33", "Q5_0, 5.5, 880.04"})
  void theP40PrefillRowsAreBelowTheirInt8Roof(String name, double bits, double measured) {
    Scenario s = Fixtures.scenario(LLAMA_7B, P40, quant(name, bits, Activation.INT8), 1, 512, Phase.PREFILL);
    RooflineResult r = roofline.compute(s);
    assertThat(r.flopsPerToken()).isCloseTo(13_090_441_728.0, within(1.0));
    assertThat(r.peakTflops()).isEqualTo(47);
    assertThat(r.computeRoof()).isCloseTo(3590.406, within(0.001));
    assertThat(r.bound()).isEqualTo(Bound.COMPUTE);
    assertThat(r.tokensPerSecond()).isGreaterThan(measured);
    RooflineResult fp16 = roofline.compute(s.withQuant(quant(name, bits, Activation.FP16)));
    assertThat(fp16.computeRoof()).isCloseTo(898.365, within(0.001));
  }

  @Test
  void theQ40MemoryRoofOfTheP40RowCountsTheGatherAndTheLmHeadOnce() {
    RooflineResult r = roofline.compute(
        Fixtures.scenario(LLAMA_7B, P40, quant("Q4_0", 4.5, Activation.INT8), 1, 512, Phase.PREFILL));
    // body 6 477 856 000 + LM head 131 072 000 + 512 gathered rows × 4096 = 6 611 025 152 weights × 0.5625 bytes
    assertThat(r.weightBytes()).isCloseTo(3_718_701_648.0, within(1.0));
    // 512 prompt tokens × 2 × 32 layers × 32 KV heads × 128 × 2 bytes
    assertThat(r.kvBytesPerStep()).isCloseTo(268_435_456.0, within(1e-6));
    assertThat(r.memoryRoof()).isCloseTo(44_430.877, within(0.001));
  }

  /** Decode, batch 1: the LM head's 2 × 32 000 × 4096 FLOPs count for every token; prefill only for the last. */
  @Test
  void theLmHeadIsComputedForEveryDecodeTokenButOnlyTheLastPromptToken() {
    Quantization q = quant("Q8_0", 8.5, Activation.INT8);
    RooflineResult decode = roofline.compute(Fixtures.scenario(LLAMA_7B, P40, q, 1, 0, Phase.DECODE));
    // no cached tokens: 12 955 712 000 body + 262 144 000 LM head
    assertThat(decode.flopsPerToken()).isCloseTo(13_217_856_000.0, within(1.0));
    RooflineResult prefill = roofline.compute(Fixtures.scenario(LLAMA_7B, P40, q, 1, 1000, Phase.PREFILL));
    // 12 955 712 000 + attention 16 384 × 32 × 500 = 262 144 000 + 262 144 000 / 1000 = 262 144
    assertThat(prefill.flopsPerToken()).isCloseTo(13_218_118_144.0, within(1.0));
  }

  /** Tied embeddings: the one matrix is the LM head and the table; no gathered rows on top, FLOPs counted once. */
  @Test
  void tiedEmbeddingsStreamTheirMatrixOnceAndGatherNothingMore() {
    ModelSpec tied = new ModelSpec("tied", 6.74, 4096, 32, 32, 32, 128, 32000, List.of(), "t", null,
        OptionalDouble.empty(), Optional.of(true), 0, MoeSpec.NONE, AttentionSpec.STANDARD);
    Quantization f16 = quant("F16", 16, Activation.FP16);
    RooflineResult r = roofline.compute(Fixtures.scenario(tied, P40, f16, 4, 0, Phase.DECODE));
    // body 6.74e9 − 131 072 000, plus the matrix once: 6.74e9 parameters × 2 bytes
    assertThat(r.weightBytes()).isCloseTo(13.48e9, within(1.0));
    assertThat(r.detail().gatherBytes()).isZero();
  }

  /**
   * llama-bench pp512 @ d4096 on Llama-like 7B: 512 prompt tokens attend over 4096 cached + 256 mean causal; the KV
   * written is the 512 new entries and the 4096 cached ones are read once: 4608 × 524 288 bytes.
   */
  @Test
  void depthIsReadOnceAndAttendedOverByTheWindow() {
    Quantization q = quant("Q4_0", 4.5, Activation.INT8);
    Scenario s = Fixtures.scenario(LLAMA_7B, P40, q, 1, 512, Phase.PREFILL).withDepth(4096);
    RooflineResult r = roofline.compute(s);
    assertThat(r.kvBytesPerStep()).isCloseTo(4608 * 524_288.0, within(1e-6));
    // 12 955 712 000 + 16 384 × 32 × (4096 + 256) + 512 000
    assertThat(r.flopsPerToken()).isCloseTo(12_955_712_000.0 + 16_384.0 * 32 * 4352 + 512_000, within(1.0));
    assertThat(r.tokensPerStep()).isEqualTo(512);
    // decode tg128 @ d4096: mean cached length 4096 + 64
    RooflineResult decode = roofline.compute(Fixtures.scenario(LLAMA_7B, P40, q, 2, 128, Phase.DECODE)
        .withDepth(4096));
    assertThat(decode.kvBytesPerStep()).isCloseTo(2 * 4160 * 524_288.0, within(1e-6));
  }

  /** Metal has no integer-dot kernels: the FP16 peak binds there; elsewhere the higher of INT8 and FP16. */
  @Test
  void int8UsesTheInt8PeakExceptOnMetal() {
    Quantization q = quant("Q4_0", 4.5, Activation.INT8);
    Scenario s = Fixtures.scenario(LLAMA_7B, P40, q, 1, 512, Phase.PREFILL);
    assertThat(roofline.compute(s.withEngine(new EngineSettings(512, false, Backend.CUDA, ""))).peakTflops())
        .isEqualTo(47);
    // Metal drives Apple GPUs only; one with the same figures, int8 peak included (a catalog entry of the user's),
    // keeps its FP16 peak under Metal
    DeviceSpec apple = new DeviceSpec("Apple test GPU", "Apple", P40.memBandwidthGBs(), P40.fp16Tflops(),
        OptionalDouble.empty(), P40.fp32Tflops(), P40.computeUnits(), OptionalDouble.empty(), OptionalDouble.of(24),
        List.of(), "t", "test", OptionalDouble.empty(), OptionalDouble.of(47), "unified", OptionalDouble.empty());
    assertThat(roofline.compute(s.withDevice(apple).withEngine(new EngineSettings(512, false, Backend.METAL, "")))
        .peakTflops()).isEqualTo(11.76);
    DeviceSpec noInt8 = Fixtures.device(1000, 100);
    assertThat(roofline.compute(s.withDevice(noInt8)).peakTflops()).isEqualTo(100);
  }

  @Test
  void fp4UsesTheFp4PeakWhereTheDeviceHasOneElseTheHigherOfFp8AndFp16() {
    DeviceSpec b = new DeviceSpec("B", "NVIDIA", 8000, OptionalDouble.of(2250), OptionalDouble.of(4500),
        OptionalDouble.of(80), 148, OptionalDouble.empty(), OptionalDouble.of(180), List.of(), "t", "GB100",
        OptionalDouble.of(9000), OptionalDouble.of(4500), "NVLink5", OptionalDouble.of(900));
    Quantization nvfp4 = quant("NVFP4", 4.5, Activation.FP4);
    Scenario s = Fixtures.scenario(LLAMA_7B, b, nvfp4, 1, 512, Phase.PREFILL);
    assertThat(roofline.compute(s).peakTflops()).isEqualTo(9000);
    DeviceSpec h = CATALOG.device("H100 SXM5 80GB");
    assertThat(roofline.compute(s.withDevice(h)).peakTflops()).isEqualTo(h.fp8Tflops().getAsDouble());
  }

  /**
   * Zero-copy reads the weights over the host link: a PCIe4 x16 card at 32 GB/s, Q4_0 LLaMA 7B decode from an
   * empty cache: (6.74e9 − 131 072 000 + 4096) × 0.5625 = 3 717 524 304 bytes at 32 GB/s = 8.608 tokens/s.
   */
  @Test
  void zeroCopyReadsTheWeightsOverThePcieLinkAndIsRefusedWhereItsRateIsUnknown() {
    DeviceSpec pcie = new DeviceSpec("card", "NVIDIA", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 80, OptionalDouble.empty(), OptionalDouble.of(24), List.of(), "t", null,
        OptionalDouble.empty(), OptionalDouble.empty(), "PCIe4 x16", OptionalDouble.of(32));
    Quantization q = quant("Q4_0", 4.5, Activation.INT8);
    Scenario s = new Scenario(LLAMA_7B, pcie, q, KvCacheType.F16, 1, 0, Phase.DECODE, false, Optional.empty(), true);
    assertThat(roofline.compute(s).memoryRoof()).isCloseTo(32e9 / 3_717_524_304.0, within(1e-9));
    assertThatThrownBy(() -> new Scenario(LLAMA_7B, Fixtures.device(1000, 100), q, KvCacheType.F16, 1, 0,
        Phase.DECODE, false, Optional.empty(), true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("zero-copy = on test gpu")
        .hasMessageContaining("unified memory, or a PCIe host link");
    DeviceSpec apple = CATALOG.device("Apple M2 Ultra (76-core GPU)");
    Scenario unified = new Scenario(LLAMA_7B, apple, q, KvCacheType.F16, 1, 0, Phase.DECODE, false,
        Optional.empty(), true);
    assertThat(roofline.compute(unified).memoryRoof())
        .isEqualTo(roofline.compute(Fixtures.scenario(LLAMA_7B, apple, q, 1, 0, Phase.DECODE)).memoryRoof());
  }
}
