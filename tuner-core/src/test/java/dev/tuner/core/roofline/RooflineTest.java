package dev.tuner.core.roofline;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.OutputKind;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class RooflineTest {
  private final Roofline roofline = new Roofline(CATALOG);
  private final Quantization q4 = Fixtures.quant(4.5, QuantClass.Q4_0);

  @Test
  void referenceValue7BOn1008GBsIs256TokensPerSecond() {
    ModelSpec m = new ModelSpec("7B", 7, 0, 0, 0, 0, 0, 0, List.of(), "t");
    RooflineResult r = roofline.compute(Fixtures.scenario(m, Fixtures.device(1008, 330), q4, 1, 0, Phase.DECODE));
    assertThat(r.tokensPerSecond()).isCloseTo(256.0, within(1e-9));
    assertThat(r.bound()).isEqualTo(Bound.MEMORY);
    assertThat(r.weightBytes()).isCloseTo(7e9 * 0.5625, within(1.0));
  }

  @Test
  void largerBatchRaisesLongerContextLowersAndF16LowersTheMemoryRoof() {
    DeviceSpec d = Fixtures.device(1008, 330);
    ModelSpec m = Fixtures.model(8);
    double base = roofline.compute(Fixtures.scenario(m, d, q4, 1, 1024, Phase.DECODE)).memoryRoof();
    assertThat(roofline.compute(Fixtures.scenario(m, d, q4, 8, 1024, Phase.DECODE)).memoryRoof()).isGreaterThan(base);
    assertThat(roofline.compute(Fixtures.scenario(m, d, q4, 1, 8192, Phase.DECODE)).memoryRoof()).isLessThan(base);
    Quantization f16 = Fixtures.quant(16, QuantClass.F16);
    assertThat(roofline.compute(Fixtures.scenario(m, d, f16, 1, 1024, Phase.DECODE)).memoryRoof())
        .isLessThan(base);
  }

  @Test
  void kvCacheBytesFollowTheArchitecture() {
    ModelSpec m = Fixtures.model(8);
    RooflineResult r = roofline.compute(Fixtures.scenario(m, Fixtures.device(1000, 100), q4, 4, 2048,
        Phase.DECODE));
    double perToken = 2.0 * 32 * 8 * 128 * 2;
    assertThat(r.kvBytesPerStep()).isCloseTo(4 * perToken * 1024, within(1e-6));
    // untied: body 8e9 − 2 × 32000 × 4096, the LM head 32000 × 4096 streamed, 4 table rows
    // of 4096 gathered: 8e9 − 131 072 000 + 16 384 weights
    double weights = (8e9 - 32000.0 * 4096 + 4 * 4096) * 4.5 / 8;
    assertThat(r.bytesPerStep()).isCloseTo(weights + 4 * perToken * 1024, within(1e-3));
  }

  @Test
  void prefillIsComputeBoundAndUsesTheFp8PeakForFp8() {
    DeviceSpec h100 = CATALOG.device("H100 SXM5 80GB");
    ModelSpec m = CATALOG.model("Llama 3 8B");
    Quantization f16 = CATALOG.quant("F16");
    RooflineResult r = roofline.compute(Fixtures.scenario(m, h100, f16, 1, 2048, Phase.PREFILL));
    assertThat(r.bound()).isEqualTo(Bound.COMPUTE);
    assertThat(r.peakTflops()).isEqualTo(h100.fp16Tflops().getAsDouble());
    RooflineResult fp8 = roofline.compute(Fixtures.scenario(m, h100, CATALOG.quant("FP8"), 1, 2048, Phase.PREFILL));
    assertThat(fp8.peakTflops()).isEqualTo(h100.fp8Tflops().getAsDouble());
    assertThat(fp8.computeRoof()).isGreaterThan(r.computeRoof());
  }

  @Test
  void noArbitraryCapOnLargeBatches() {
    RooflineResult r = roofline.compute(Fixtures.scenario(CATALOG.model("Llama 2 7B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("FP8"), 1024, 256, Phase.DECODE));
    assertThat(r.tokensPerSecond()).isGreaterThan(10_000);
  }

  @Test
  void unknownPeakIsImputedFromTheVendorAndSaidSo() {
    DeviceSpec m3 = CATALOG.device("Apple M3 (10-core GPU)");
    assertThat(m3.fp16Tflops()).isEmpty();
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(7), m3, q4, 1, 512, Phase.PREFILL));
    assertThat(r.peakTflops()).isPositive();
    assertThat(r.assumptions()).anySatisfy(a -> assertThat(a).contains("FP16 peak of Apple M3").contains("assumes"));
    DeviceSpec lonely = new DeviceSpec("lonely", "", 500, OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty(), 0,
        OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "t");
    RooflineResult none = roofline.compute(Fixtures.scenario(Fixtures.model(7), lonely, q4, 1, 512, Phase.PREFILL));
    assertThat(none.computeRoof()).isInfinite();
    assertThat(none.bound()).isEqualTo(Bound.MEMORY);
    assertThat(none.assumptions()).anySatisfy(a -> assertThat(a).contains("compute roof not applied"));
  }

  @Test
  void unknownArchitectureLeavesKvOutAndSaysSo() {
    ModelSpec bare = new ModelSpec("bare", 7, 0, 0, 0, 0, 0, 0, List.of(), "t");
    RooflineResult r = roofline.compute(Fixtures.scenario(bare, Fixtures.device(1000, 100), q4, 1, 4096,
        Phase.DECODE));
    assertThat(r.kvBytesPerStep()).isZero();
    assertThat(r.assumptions()).anySatisfy(a -> assertThat(a).contains("KV-cache traffic not counted"));
  }

  @RepeatedTest(3)
  void roofGrowsWithBandwidthAndBatchAndShrinksWithContext(RepetitionInfo info) {
    SplittableRandom rnd = new SplittableRandom(77 + info.getCurrentRepetition());
    for (int n = 0; n < 2000; n++) {
      Scenario s = Fixtures.random(rnd);
      RooflineResult r = roofline.compute(s);
      assertThat(r.tokensPerSecond()).isFinite().isPositive();
      DeviceSpec d = s.device();
      DeviceSpec faster = new DeviceSpec(d.name(), d.vendor(), Math.min(100_000, d.memBandwidthGBs() * 1.5),
          d.fp16Tflops(), d.fp8Tflops(), d.fp32Tflops(), d.computeUnits(), d.l2CacheMb(), d.memoryGb(), List.of(),
          "t", d.chipFamily(), d.fp4Tflops(), d.int8Tops(), d.interconnect(), d.interconnectGBs());
      assertThat(roofline.compute(s.withDevice(faster)).tokensPerSecond()).isGreaterThanOrEqualTo(r.tokensPerSecond());
      assertThat(roofline.compute(s.withDevice(faster)).memoryRoof()).isGreaterThanOrEqualTo(r.memoryRoof());
      if (s.batch() < Scenario.MAX_BATCH) {
        RooflineResult more = roofline.compute(s.withBatch(s.batch() + 1));
        assertThat(more.memoryRoof()).isGreaterThanOrEqualTo(r.memoryRoof() * (1 - 1e-12));
        if (s.phase() == Phase.DECODE) {
          assertThat(more.tokensPerSecond()).isGreaterThanOrEqualTo(r.tokensPerSecond() * (1 - 1e-12));
        }
      }
      if (s.context() < Scenario.MAX_CONTEXT && s.phase() == Phase.DECODE) {
        RooflineResult longer = roofline.compute(
            s.withContext(Math.min(Scenario.MAX_CONTEXT - s.depth(), s.context() * 2 + 1)));
        assertThat(longer.tokensPerSecond()).isLessThanOrEqualTo(r.tokensPerSecond() * (1 + 1e-12));
      }
    }
  }

  /**
   * The serial roof: decode's memory time plus its FLOPs at the vector peak, one after the other, never above the
   * roofline; prefill's is the roofline.
   */
  @RepeatedTest(3)
  void theSerialRoofAddsTheVectorTimeToTheMemoryTimeForDecode(RepetitionInfo info) {
    SplittableRandom rnd = new SplittableRandom(7 + info.getCurrentRepetition());
    int added = 0;
    for (int n = 0; n < 2000; n++) {
      Scenario s = Fixtures.random(rnd);
      RooflineResult r = roofline.compute(s);
      assertThat(r.serialRoof()).isPositive().isLessThanOrEqualTo(r.tokensPerSecond());
      assertThat(r.referenceFor(OutputKind.LOG_SERIAL_ROOF_FRACTION)).isEqualTo(r.serialRoof());
      assertThat(r.referenceFor(OutputKind.LOG_ROOFLINE_FRACTION)).isEqualTo(r.tokensPerSecond());
      StepDetail step = r.detail();
      if ((s.phase() == Phase.PREFILL || r.vectorTflops() == 0) && step.interconnectSeconds() == 0) {
        assertThat(r.serialRoof()).isEqualTo(r.tokensPerSecond());
        continue;
      }
      if (s.phase() == Phase.PREFILL || r.vectorTflops() == 0) {
        continue;
      }
      // a decode step's pipeline stages compute one after another
      double seconds = step.memorySeconds()
          + r.flopsPerToken() * r.tokensPerStep() / (s.parallel().tp() * r.vectorTflops() * 1e12)
          + step.interconnectSeconds();
      assertThat(r.serialRoof()).isCloseTo(
          Math.min(r.tokensPerSecond(), step.replicas() * r.tokensPerStep() / seconds),
          within(1e-9 * r.tokensPerSecond()));
      added += r.serialRoof() < r.tokensPerSecond() ? 1 : 0;
    }
    assertThat(added).as("decode scenarios whose vector time lowers the serial roof").isPositive();
  }

  /** A100 PCIe, Llama 3 8B Q4_K_M, batch 1: 4.9 GB at 1935 GB/s plus 16 GFLOP at 19.5 TFLOPS. */
  @Test
  void serialRoofOfAKnownDecodeStep() {
    Scenario s = dev.tuner.core.scenario.ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 1, 512,
        "decode").resolve(CATALOG);
    RooflineResult r = roofline.compute(s);
    double memory = r.bytesPerStep() / 1935e9;
    double vector = r.flopsPerToken() / 19.5e12;
    assertThat(r.serialRoof()).isCloseTo(1 / (memory + vector), within(1e-9));
    assertThat(r.serialRoof() / r.tokensPerSecond()).as("vector time is a fifth of the memory time or more")
        .isLessThan(0.85);
  }

  /**
   * The batch paths' roofline: every figure of the full one, only the sentences and a prompt's generation are left
   * out; the full one carries that generation as the figures of the same step decoded.
   */
  @RepeatedTest(3)
  void figuresAreTheFullRooflineWithoutItsAssumptions(RepetitionInfo info) {
    SplittableRandom rnd = new SplittableRandom(99 + info.getCurrentRepetition());
    int explained = 0;
    for (int n = 0; n < 2000; n++) {
      Scenario s = Fixtures.random(rnd);
      RooflineResult full = roofline.compute(s);
      RooflineResult figures = roofline.computeFigures(s);
      assertThat(figures.assumptions()).isEmpty();
      assertThat(figures).isEqualTo(new RooflineResult(full.tokensPerSecond(), full.memoryRoof(), full.computeRoof(),
          full.bound(), full.bytesPerStep(), full.weightBytes(), full.kvBytesPerStep(), full.tokensPerStep(),
          full.flopsPerToken(), full.peakTflops(), full.vectorTflops(), full.arithmeticIntensity(), full.serialRoof(),
          List.of(), full.interconnectRoof(), full.detail(), full.features(),
          full.oneSequence() == full ? null : full.oneSequence(), null));
      assertThat(full.generation() == null).isEqualTo(s.phase() == Phase.DECODE);
      if (full.generation() != null) {
        assertThat(full.generation()).isEqualTo(roofline.computeFigures(s.withPhase(Phase.DECODE)));
        assertThat(full.generation().tokensPerSecond())
            .isLessThanOrEqualTo(Roofline.generationCeiling(s, full) * (1 + 1e-12));
      }
      explained += full.assumptions().isEmpty() ? 0 : 1;
    }
    assertThat(explained).as("scenarios with assumptions among the random ones").isPositive();
  }

  @Test
  void aBatchedDecodeCarriesTheRooflineOfOneSequenceAndNoOtherStepDoes() {
    ModelSpec m = Fixtures.model(8);
    DeviceSpec d = Fixtures.device(1000, 100);
    Quantization q4 = Fixtures.quant(4.5, QuantClass.Q4_K);
    Scenario batched = Fixtures.scenario(m, d, q4, 8, 1024, Phase.DECODE);
    RooflineResult r = roofline.compute(batched);
    assertThat(r.oneSequence()).isEqualTo(roofline.computeFigures(batched.withBatch(1)));
    assertThat(r.oneSequence().serialRoof()).isLessThan(r.serialRoof());
    assertThat(roofline.computeFigures(batched).oneSequence()).isEqualTo(r.oneSequence());
    RooflineResult single = roofline.compute(batched.withBatch(1));
    assertThat(single.oneSequence()).isSameAs(single);
    RooflineResult prefill = roofline.compute(batched.withPhase(Phase.PREFILL));
    assertThat(prefill.oneSequence()).isSameAs(prefill);
  }

  @Test
  void fp8ActivationFallsBackToTheFp16PeakWithoutAnFp8Figure() {
    Quantization fp8 = new Quantization("fp8", 8, QuantClass.Q8_0, Activation.FP8, List.of(), "t");
    DeviceSpec a100 = CATALOG.device("A100 SXM4 80GB");
    assertThat(a100.fp8Tflops()).isEmpty();
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(7), a100, fp8, 1, 512, Phase.PREFILL));
    assertThat(r.peakTflops()).isEqualTo(a100.fp16Tflops().getAsDouble());
    // and says so: the weights run dequantised, which no catalog figure states
    assertThat(r.assumptions()).contains("no FP8 peak of A100 SXM4 80GB in the catalog (no FP8 tensor cores, or not"
        + " known): FP8 weights are taken to run dequantised at its FP16 peak");
    // FP4 on a Hopper GPU: its FP8 peak, stated the same way; FP8 there needs no word
    Quantization fp4 = new Quantization("fp4", 4.5, QuantClass.Q4_0, Activation.FP4, List.of(), "t");
    DeviceSpec h100 = CATALOG.device("H100 SXM5 80GB");
    RooflineResult hopper = roofline.compute(Fixtures.scenario(Fixtures.model(7), h100, fp4, 1, 512, Phase.PREFILL));
    assertThat(hopper.peakTflops()).isEqualTo(h100.fp8Tflops().getAsDouble());
    assertThat(hopper.assumptions()).anySatisfy(a -> assertThat(a).startsWith("no FP4 peak of H100 SXM5 80GB")
        .endsWith("dequantised at its FP8 peak"));
    assertThat(roofline.compute(Fixtures.scenario(Fixtures.model(7), h100, fp8, 1, 512, Phase.PREFILL))
        .assumptions()).noneMatch(a -> a.contains("FP8 peak"));
  }

  /** The CPU backend on unified memory takes the GPU's roof, which the host's cores do not reach (audit item 1). */
  @Test
  void theCpuBackendOnUnifiedMemorySaysItsRoofIsTheGpusAndTheHostGivenByItsFiguresNeedsNoWord() {
    DeviceSpec m2 = CATALOG.device("Apple M2 Ultra (76-core GPU)");
    Scenario metal = Fixtures.scenario(Fixtures.model(8), m2, q4, 1, 512, Phase.PREFILL)
        .withEngine(EngineSettings.DEFAULTS.withBackend(Backend.METAL));
    Scenario cpu = metal.withEngine(EngineSettings.DEFAULTS.withBackend(Backend.CPU));
    RooflineResult r = roofline.compute(cpu);
    assertThat(r.tokensPerSecond()).isEqualTo(roofline.compute(metal).tokensPerSecond());
    assertThat(r.assumptions()).contains("backend cpu on Apple M2 Ultra (76-core GPU): llama.cpp's CPU backend runs"
        + " on the host's cores, which share this device's memory; the roofline takes that memory's full bandwidth"
        + " and the GPU's compute peaks, which the cores do not reach, so it bounds the run only loosely (a prompt,"
        + " which the peaks bind, most)");
    assertThat(roofline.compute(metal).assumptions()).noneMatch(a -> a.contains("backend cpu"));
    DeviceSpec host = Fixtures.device(100, 2);
    assertThat(roofline.compute(Fixtures.scenario(Fixtures.model(8), host, q4, 1, 512, Phase.PREFILL)
        .withEngine(EngineSettings.DEFAULTS.withBackend(Backend.CPU))).assumptions())
        .noneMatch(a -> a.contains("backend cpu"));
  }

  @Test
  void aKnownVectorPeakIsTheDevicesFp32FigureAndNeedsNoAssumption() {
    DeviceSpec a100 = CATALOG.device("A100 PCIe 80GB");
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(8), a100, q4, 1, 512, Phase.DECODE));
    assertThat(r.vectorTflops()).isEqualTo(19.5);
    assertThat(r.assumptions()).isEmpty();
  }

  /**
   * An AD102 part without its FP32 figure gets its FP16 peak times the median FP32/FP16 ratio of the catalogued
   * AD102 parts (its chip family): RTX 4090 D 73.54 / 294.2 = 0.249966, RTX 4090 82.6 / 330.3 = 0.250076, RTX 5000
   * Ada 65.3 / 261.1 = 0.250096, RTX 6000 Ada 91.1 / 364.2 = 0.250137, L40S 91.6 / 362.05 = 0.253004, L40 90.5 /
   * 181.05 = 0.499862 (its datasheet's half tensor rate); median of the six = the mean of the middle two, RTX 5000
   * Ada's and RTX 6000 Ada's, 0.250117, × 400 = 100.047 TFLOPS. (L20, also AD102, has no FP16 figure and is no
   * relative here.)
   */
  @Test
  void anUnknownVectorPeakIsTheFp16PeakTimesTheChipFamilysMedianRatioAndSaidSo() {
    DeviceSpec noFp32 = new DeviceSpec("RTX 9999", "NVIDIA", 1000, OptionalDouble.of(400), OptionalDouble.empty(),
        OptionalDouble.empty(), 100, OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "t", "AD102",
        OptionalDouble.empty(), OptionalDouble.of(800), "", OptionalDouble.empty());
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(7), noFp32, q4, 1, 512, Phase.DECODE));
    double ratio = (65.3 / 261.1 + 91.1 / 364.2) / 2;
    assertThat(r.vectorTflops()).isCloseTo(400 * ratio, within(1e-9)).isCloseTo(100.047, within(0.001));
    assertThat(r.assumptions()).singleElement().asString()
        .contains("FP32 vector peak of RTX 9999 unknown")
        .contains("best estimate 100.0 TFLOPS")
        .contains("its FP16 peak 400.0")
        .contains("median FP32/FP16 ratio of 6 NVIDIA devices (RTX 4090, RTX 5000 Ada, RTX 6000 Ada, L40S, L40,"
            + " RTX 4090 D)");
    assertThat(r.features().fp32Missing()).isTrue();
    assertThat(r.features().fp16Missing()).isFalse();
    assertThat(r.imputed()).isTrue();
    RooflineResult figures = roofline.computeFigures(
        Fixtures.scenario(Fixtures.model(7), noFp32, q4, 1, 512, Phase.DECODE));
    assertThat(figures.vectorTflops()).isEqualTo(r.vectorTflops());
    assertThat(figures.imputed()).as("known without the assumptions' text").isTrue();
  }

  /**
   * Apple M3 has neither peak: the bound takes Apple's highest FP16 TFLOPS per core (M2 8-core, 2.9 / 8 = 0.3625)
   * × 10 = 3.625 TFLOPS; the model gets the M2 base chip's median per core (M2 8-core 0.3625, M2 10-core 3.6 / 10 =
   * 0.36: 0.36125) × 10 = 3.6125 TFLOPS, and the vector peak that times the M2's FP32/FP16 ratio, 1.
   */
  @Test
  void aDeviceWithNeitherPeakIsBoundGenerouslyAndEstimatedForTheModel() {
    DeviceSpec m3 = CATALOG.device("Apple M3 (10-core GPU)");
    assertThat(m3.fp32Tflops()).isEmpty();
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(7), m3, Fixtures.quant(16, QuantClass.F16),
        1, 512, Phase.PREFILL));
    assertThat(r.peakTflops()).isCloseTo(2.9 / 8 * 10, within(1e-9));
    assertThat(r.features().peakTflops()).isCloseTo((2.9 / 8 + 3.6 / 10) / 2 * 10, within(1e-9));
    assertThat(r.vectorTflops()).isCloseTo(r.features().peakTflops(), within(1e-9));
    assertThat(r.featureComputeRoof()).isCloseTo(r.computeRoof() * 3.6125 / 3.625, within(1e-6));
    assertThat(r.assumptions())
        .anySatisfy(a -> assertThat(a).contains("FP16 peak of Apple M3 (10-core GPU) unknown: the bound assumes 3.6"
            + " TFLOPS (10 compute units × 0.3625, the highest FP16 TFLOPS per unit of any catalogued Apple device)"))
        .anySatisfy(a -> assertThat(a).contains("the model is given the best estimate 3.6 TFLOPS (10 compute units"
            + " × 0.361").endsWith("FP16 TFLOPS per unit of 2 Apple devices (Apple M2 (8-core GPU), Apple M2"
            + " (10-core GPU)))"))
        .anySatisfy(a -> assertThat(a).contains("FP32 vector peak of Apple M3 (10-core GPU) unknown: assumed the best"
            + " estimate 3.6 TFLOPS (its estimated FP16 peak 3.6 × 1.0000"));
  }

  @Test
  void withoutRelativesTheVectorPeakIsZeroAndSaidSo() {
    DeviceSpec noFp32 = new DeviceSpec("custom", "", 1000, OptionalDouble.of(400), OptionalDouble.empty(),
        OptionalDouble.empty(), 0, OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "t");
    RooflineResult r = roofline.compute(Fixtures.scenario(Fixtures.model(7), noFp32, q4, 1, 512, Phase.DECODE));
    assertThat(r.vectorTflops()).isZero();
    assertThat(r.assumptions()).anySatisfy(a -> assertThat(a).contains("FP32 vector peak of custom unknown and not"
        + " estimable"));
  }

  @Test
  void theVectorPeakDoesNotMoveTheBound() {
    DeviceSpec with = CATALOG.device("RTX 4090");
    DeviceSpec without = new DeviceSpec(with.name(), with.vendor(), with.memBandwidthGBs(), with.fp16Tflops(),
        with.fp8Tflops(), OptionalDouble.empty(), with.computeUnits(), with.l2CacheMb(), with.memoryGb(), List.of(),
        "t");
    for (Phase phase : Phase.values()) {
      RooflineResult a = roofline.compute(Fixtures.scenario(CATALOG.model("Llama 3 8B"), with, q4, 4, 2048, phase));
      RooflineResult b = roofline.compute(Fixtures.scenario(CATALOG.model("Llama 3 8B"), without, q4, 4, 2048, phase));
      assertThat(b.vectorTflops()).isNotEqualTo(a.vectorTflops());
      assertThat(b.tokensPerSecond()).isEqualTo(a.tokensPerSecond());
      assertThat(b.memoryRoof()).isEqualTo(a.memoryRoof());
      assertThat(b.computeRoof()).isEqualTo(a.computeRoof());
      assertThat(b.peakTflops()).isEqualTo(a.peakTflops());
    }
  }

  /**
   * A 2 048-token prompt at llama-bench's n_ubatch of 512 runs as four chunks, each streaming the 7 B × 4.5-bit
   * weights (3.9375 GB) again: 15.75 GB at 1 008 GB/s take 0.015625 s, a memory roof of 2 048 / 0.015625 = 131 072
   * tokens/s; in one chunk (n_ubatch 2 048) 524 288. A one-token prompt reads them once, as a decode step: 256.
   */
  @Test
  void aPromptLongerThanItsPhysicalBatchReadsTheWeightsOncePerChunk() {
    ModelSpec m = new ModelSpec("7B", 7, 0, 0, 0, 0, 0, 0, List.of(), "t");
    Scenario prompt = Fixtures.scenario(m, Fixtures.device(1008, 330), q4, 1, 2048, Phase.PREFILL);
    RooflineResult chunked = roofline.compute(prompt.withEngine(EngineSettings.of(512, null, null, null)));
    assertThat(chunked.detail().weightPasses()).isEqualTo(4);
    assertThat(chunked.weightBytes()).isCloseTo(4 * 7e9 * 0.5625, within(1.0));
    assertThat(chunked.memoryRoof()).isCloseTo(131_072, within(1e-6));
    RooflineResult whole = roofline.compute(prompt.withEngine(EngineSettings.of(2048, null, null, null)));
    assertThat(whole.detail().weightPasses()).isEqualTo(1);
    assertThat(whole.memoryRoof()).isCloseTo(524_288, within(1e-6));
    RooflineResult oneToken = roofline.compute(prompt.withContext(1));
    assertThat(oneToken.memoryRoof()).isCloseTo(256, within(1e-9));
    assertThat(roofline.compute(prompt.withPhase(Phase.DECODE).withEngine(EngineSettings.of(1, null, null, null)))
        .detail().weightPasses()).isEqualTo(1);
  }

  /**
   * Chunked prompts over the catalog: the roof never counts more passes than the whole chunks an engine runs (so it
   * stays a bound), is never above the roof of the prompt in one pass but for what pipeline stages gain by
   * overlapping the chunks, and on one stage never falls as n_ubatch grows (over several, smaller chunks overlap
   * better); the generation's roof stays under the ceiling batch scoring tests prompts against.
   */
  @RepeatedTest(3)
  void chunkedPromptsStayABoundAndMonotone(RepetitionInfo info) {
    SplittableRandom rnd = new SplittableRandom(4242 + info.getCurrentRepetition());
    for (int n = 0; n < 1500; n++) {
      Scenario drawn = Fixtures.random(rnd);
      Scenario s = drawn.withContext(Math.max(1, drawn.context())).withPhase(Phase.PREFILL).withBatch(1)
          .withDepth(0);
      int ubatch = 1 << rnd.nextInt(0, 12);
      Scenario chunked = s.withEngine(s.engine().withNUbatch(ubatch));
      RooflineResult r = roofline.compute(chunked);
      assertThat(r.detail().weightPasses())
          .isBetween(1.0, (double) Math.max(1, (s.context() + ubatch - 1) / ubatch));
      RooflineResult onePass = roofline.compute(s.withEngine(s.engine().withNUbatch(Scenario.MAX_CONTEXT)));
      int stages = s.parallel().pp();
      assertThat(r.tokensPerSecond()).isLessThanOrEqualTo(onePass.tokensPerSecond()
          * Roofline.pipelineSpeedup(r.detail().weightPasses(), stages) * (1 + 1e-12));
      if (stages == 1) {
        RooflineResult wider = roofline.compute(s.withEngine(s.engine().withNUbatch(ubatch * 2)));
        assertThat(wider.tokensPerSecond()).isGreaterThanOrEqualTo(r.tokensPerSecond() * (1 - 1e-12));
      }
      assertThat(r.generation().tokensPerSecond())
          .isLessThanOrEqualTo(Roofline.generationCeiling(chunked, r) * (1 + 1e-12));
    }
  }
}
