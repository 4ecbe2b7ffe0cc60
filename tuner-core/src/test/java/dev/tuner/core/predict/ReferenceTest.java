package dev.tuner.core.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.FeatureFigures;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference a model's outputs are relative to, with the decode step overhead, against hand arithmetic. */
class ReferenceTest {
  /** A roofline of 200 tokens/s whose serial roof is 100 tokens/s (the other figures do not enter). */
  private static final RooflineResult ROOF = new RooflineResult(200, 200, 1000, Bound.MEMORY, 1, 1, 0, 4, 1, 100, 25,
      1, 100, List.of(), Double.POSITIVE_INFINITY, null);

  /** The fixture model has 32 layers. */
  private static Scenario decode(int batch) {
    return Fixtures.scenario(Fixtures.model(8), Fixtures.device(1000, 100), Fixtures.quant(4.5, QuantClass.Q4_K),
        batch, 512, Phase.DECODE);
  }

  @Test
  void theOverheadAddsLayersTimesItsSecondsOverTheBatchToEachTokensTime() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6);
    // batch 4: 1/100 s per token at the serial roof + 100 µs × 32 layers / 4 sequences = 0.01 + 0.0008 s
    assertThat(r.tokensPerSecond(decode(4), ROOF)).isCloseTo(1 / 0.0108, within(1e-9));
    // batch 1: 0.01 + 0.0032 s → 75.757… tokens/s
    assertThat(r.tokensPerSecond(decode(1), ROOF)).isCloseTo(1 / 0.0132, within(1e-9));
    // two pipeline stages of 16 layers each run one after another: every layer's overhead, 0.01 + 100 µs × 32
    Scenario single = decode(1);
    Scenario piped = single.withDevice(Fixtures.linked(single.device())).withParallel(new ParallelLayout(2, 1, 2, 1));
    assertThat(r.tokensPerSecond(piped, ROOF)).isCloseTo(1 / 0.0132, within(1e-9));
  }

  @Test
  void prefillAndOtherKindsAndNoOverheadKeepTheirRoof() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6);
    assertThat(r.tokensPerSecond(decode(1).withPhase(Phase.PREFILL), ROOF)).isEqualTo(100);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).tokensPerSecond(decode(1), ROOF)).isEqualTo(100);
    assertThat(Reference.of(OutputKind.LOG_ROOFLINE_FRACTION).tokensPerSecond(decode(1), ROOF)).isEqualTo(200);
  }

  @Test
  void thePropertyRoundTripsAndAMalformedOneIsRefusedNamingIt() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 1.5e-4);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, r.properties(), "m")).isEqualTo(r);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, Map.of(), "m").stepOverheadSecondsPerLayer())
        .isZero();
    for (String bad : List.of("abc", "-1e-6", "0.5", "NaN")) {
      assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
          Map.of(Reference.PROPERTY, bad), "model x"))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("model x").hasMessageContaining(Reference.PROPERTY).hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_ROOFLINE_FRACTION, Map.of(Reference.PROPERTY, "1e-4"),
        "model y")).isInstanceOf(ModelLoadException.class).hasMessageContaining("log_serial_roof_fraction");
  }

  /** One sequence's roofline: serial roof 40 tokens/s. */
  private static final RooflineResult ONE = new RooflineResult(50, 50, 1000, Bound.MEMORY, 1, 1, 0, 1, 1, 100, 25,
      1, 40, List.of(), Double.POSITIVE_INFINITY, null);
  /** Batch 4's roofline (serial roof 100 tokens/s) carrying {@link #ONE} as its roofline of one sequence. */
  private static final RooflineResult FOUR = new RooflineResult(200, 200, 1000, Bound.MEMORY, 1, 1, 0, 4, 1, 100, 25,
      1, 100, List.of(), Double.POSITIVE_INFINITY, null, FeatureFigures.catalogued(100), ONE, null);

  @Test
  void aBatchedDecodeRelativeToOneSequenceTakesOneSequencesReference() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6, Map.of(), true);
    // one sequence: 1/40 s per token at its serial roof + 100 µs × 32 layers / 1 sequence = 0.025 + 0.0032 s
    assertThat(r.tokensPerSecond(decode(4), FOUR)).isCloseTo(1 / 0.0282, within(1e-9));
    // relative to itself: 1/100 + 100 µs × 32 / 4 = 0.01 + 0.0008 s
    assertThat(r.withDecodeOneSequence(false).tokensPerSecond(decode(4), FOUR)).isCloseTo(1 / 0.0108, within(1e-9));
    // batch 1 and prefill are their own step of one sequence
    assertThat(r.tokensPerSecond(decode(1), ROOF)).isCloseTo(1 / 0.0132, within(1e-9));
    assertThat(r.tokensPerSecond(decode(4).withPhase(Phase.PREFILL), FOUR)).isEqualTo(100);
    // the plain roofline kind takes one sequence's roofline: 50 tokens/s
    assertThat(Reference.of(OutputKind.LOG_ROOFLINE_FRACTION).withDecodeOneSequence(true)
        .tokensPerSecond(decode(4), FOUR)).isEqualTo(50);
    assertThatThrownBy(() -> r.tokensPerSecond(decode(4), ROOF)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch 4");
  }

  @Test
  void theDecodeBatchRoundTripsAsAPropertyAndAMalformedOneIsRefused() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 1e-4, Map.of(), true);
    assertThat(r.properties()).containsEntry(Reference.DECODE_ONE_SEQUENCE, "true");
    assertThat(Reference.recordedIn(Map.of(Reference.DECODE_ONE_SEQUENCE, "true"))).isTrue();
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, r.properties(), "m")).isEqualTo(r);
    assertThat(r.withDecodeOneSequence(false).properties()).doesNotContainKey(Reference.DECODE_ONE_SEQUENCE);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, Map.of(), "m").decodeOneSequence()).isFalse();
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
        Map.of(Reference.DECODE_ONE_SEQUENCE, "yes"), "model z"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model z").hasMessageContaining(Reference.DECODE_ONE_SEQUENCE).hasMessageContaining("yes");
  }

  /**
   * A compute-bound prefill roof: 500 tokens/s at a 100 TFLOPS peak (memory roof 2 000). The fixture device has 100
   * compute units of vendor TestVendor.
   */
  private static final RooflineResult PREFILL_ROOF = new RooflineResult(500, 2000, 500, Bound.COMPUTE, 1, 1, 0, 512,
      1, 100, 25, 1, 500, List.of(), Double.POSITIVE_INFINITY, null);

  @Test
  void aPrefillRateCapsThePeakAtRateTimesUnits() {
    Scenario prefill = decode(1).withPhase(Phase.PREFILL);
    // 0.4 TFLOPS × 100 units = 40 TFLOPS of the 100: the compute roof 500 × 40/100 = 200 tokens/s
    Reference capped = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withPrefillRates(Map.of("TestVendor", 0.4));
    assertThat(capped.tokensPerSecond(prefill, PREFILL_ROOF)).isCloseTo(200, within(1e-9));
    // 5 TFLOPS × 100 = 500 TFLOPS, above the peak: no cap
    Reference loose = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withPrefillRates(Map.of("TestVendor", 5.0));
    assertThat(loose.tokensPerSecond(prefill, PREFILL_ROOF)).isEqualTo(500);
    // 0.01 × 100 = 1 TFLOPS: compute roof 5 tokens/s, under the memory roof, so the reference is 5
    Reference tight = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withPrefillRates(Map.of("TestVendor", 0.01));
    assertThat(tight.tokensPerSecond(prefill, PREFILL_ROOF)).isCloseTo(5, within(1e-9));
    // the vendor matches whatever its case
    Reference lower = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withPrefillRates(Map.of("testvendor", 0.4));
    assertThat(lower.tokensPerSecond(prefill, PREFILL_ROOF)).isCloseTo(200, within(1e-9));
    // FP8 and FP4 arithmetic (engines whose GEMMs are written for the tensor peak) keep the plain roof
    for (dev.tuner.core.scenario.Activation a : List.of(dev.tuner.core.scenario.Activation.FP8,
        dev.tuner.core.scenario.Activation.FP4)) {
      Scenario engine = prefill.withQuant(new dev.tuner.core.scenario.Quantization("q", 8, QuantClass.Q8_0, a,
          List.of(), "test"));
      assertThat(capped.tokensPerSecond(engine, PREFILL_ROOF)).as(a.name()).isEqualTo(500);
    }
    // another vendor's rate, and decode, leave the roofs alone
    Reference other = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withPrefillRates(Map.of("NVIDIA", 0.4));
    assertThat(other.tokensPerSecond(prefill, PREFILL_ROOF)).isEqualTo(500);
    assertThat(capped.tokensPerSecond(decode(1), ROOF)).isEqualTo(100);
  }

  @Test
  void prefillRatesRoundTripAsPropertiesAndBadOnesAreRefused() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 1.5e-4, Map.of("NVIDIA", 2.5, "AMD", 0.5));
    assertThat(r.properties()).containsEntry(Reference.PREFILL_RATE_PREFIX + "NVIDIA", "2.5")
        .containsEntry(Reference.PREFILL_RATE_PREFIX + "AMD", "0.5");
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, r.properties(), "m")).isEqualTo(r);
    assertThat(Reference.recordedIn(r.properties())).isTrue();
    assertThat(Reference.recordedIn(Map.of("seed", "1"))).isFalse();
    for (String bad : List.of("0", "-1", "abc", "1000")) {
      assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
          Map.of(Reference.PREFILL_RATE_PREFIX + "NVIDIA", bad), "model z"))
          .isInstanceOf(ModelLoadException.class).hasMessageContaining("model z")
          .hasMessageContaining(Reference.PREFILL_RATE_PREFIX + "NVIDIA").hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
        Map.of(Reference.PREFILL_RATE_PREFIX, "1"), "model z")).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("names no vendor");
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_ROOFLINE_FRACTION,
        Map.of(Reference.PREFILL_RATE_PREFIX + "AMD", "1"), "model z")).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("log_serial_roof_fraction");
  }

  /**
   * {@link #ROOF} with its step's figures: 4 tokens per step, of whose 0.02 s of memory traffic 0.008 s read the KV
   * cache, on one replica.
   */
  private static final RooflineResult ROOF_WITH_CACHE = new RooflineResult(200, 200, 1000, Bound.MEMORY, 1, 1, 0, 4,
      1, 100, 25, 1, 100, List.of(), Double.POSITIVE_INFINITY,
      new dev.tuner.core.roofline.StepDetail(8e9, 1, 0, 0, 1, 0, 0, 0, 0.02, 0.008, 0, 0, 0, 0, 1));

  @Test
  void aKvReadFactorAddsTheCachesExtraTimeToEachTokensTime() {
    assertThat(ROOF_WITH_CACHE.kvSecondsPerToken()).isCloseTo(0.002, within(1e-15));
    Reference slowCache = Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).withKvReadFactor(3);
    // 1/100 s per token at the serial roof + (3 - 1) × 0.008 s / 4 tokens = 0.01 + 0.004 s
    assertThat(slowCache.tokensPerSecond(decode(4), ROOF_WITH_CACHE)).isCloseTo(1 / 0.014, within(1e-9));
    // with the overhead of 100 µs × 32 layers / 4 sequences besides: 0.01 + 0.004 + 0.0008 s
    Reference both = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6).withKvReadFactor(3);
    assertThat(both.tokensPerSecond(decode(4), ROOF_WITH_CACHE)).isCloseTo(1 / 0.0148, within(1e-9));
    // a factor of 1, prefill, and a roofline without a step's figures keep the serial roof
    assertThat(slowCache.withKvReadFactor(1).tokensPerSecond(decode(4), ROOF_WITH_CACHE)).isEqualTo(100);
    assertThat(slowCache.tokensPerSecond(decode(4).withPhase(Phase.PREFILL), ROOF_WITH_CACHE)).isEqualTo(100);
    assertThat(slowCache.tokensPerSecond(decode(4), ROOF)).isEqualTo(100);
  }

  @Test
  void theKvReadFactorRoundTripsAsAPropertyAndBadOnesAreRefused() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 1.5e-4, Map.of(), true).withKvReadFactor(4);
    assertThat(r.properties()).containsEntry(Reference.KV_READ_FACTOR, "4.0");
    assertThat(Reference.recordedIn(Map.of(Reference.KV_READ_FACTOR, "2"))).isTrue();
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, r.properties(), "m")).isEqualTo(r);
    assertThat(r.withKvReadFactor(1).properties()).doesNotContainKey(Reference.KV_READ_FACTOR);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, Map.of(), "m").kvReadFactor()).isEqualTo(1);
    for (String bad : List.of("0.5", "0", "-2", "21", "fast", "NaN")) {
      assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
          Map.of(Reference.KV_READ_FACTOR, bad), "model k"))
          .isInstanceOf(ModelLoadException.class).hasMessageContaining("model k")
          .hasMessageContaining(Reference.KV_READ_FACTOR).hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_ROOFLINE_FRACTION, Map.of(Reference.KV_READ_FACTOR, "2"),
        "model k")).isInstanceOf(ModelLoadException.class).hasMessageContaining("log_serial_roof_fraction");
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_ROOFLINE_FRACTION).withKvReadFactor(2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Reference.KV_READ_FACTOR);
  }

  /**
   * Seeded sweep over catalogued models, devices and quantizations: with a slower cache read the decode reference
   * stays under the serial roof, falls (or stays) as the context grows and rises (or stays) with the bandwidth, the
   * directions the learned factor relies on.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void withAKvReadFactorTheDecodeReferenceKeepsThePhysicsDirections(long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    dev.tuner.core.roofline.Roofline roofline = new dev.tuner.core.roofline.Roofline(Fixtures.CATALOG);
    var devices = Fixtures.CATALOG.devices().entries();
    var models = Fixtures.CATALOG.models().entries().stream().filter(m -> m.layers() > 0).toList();
    var quants = Fixtures.CATALOG.quants().entries();
    for (int i = 0; i < 200; i++) {
      var d = devices.get(random.nextInt(devices.size()));
      Scenario s = Fixtures.scenario(models.get(random.nextInt(models.size())), d,
          quants.get(random.nextInt(quants.size())), 1 << random.nextInt(6), 1 << random.nextInt(4, 15),
          Phase.DECODE);
      Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 150e-6, Map.of(), true)
          .withKvReadFactor(KV_FACTORS[random.nextInt(KV_FACTORS.length)]);
      RooflineResult at = roofline.compute(s);
      double ref = r.tokensPerSecond(s, at);
      String what = s.model().name() + " on " + d.name() + ", context " + s.context() + ", factor "
          + r.kvReadFactor();
      assertThat(ref).as(what).isPositive().isLessThanOrEqualTo(r.decodeStep(s, at).serialRoof() * (1 + 1e-12));
      Scenario longer = s.withContext(Math.min(Scenario.MAX_CONTEXT, s.context() * 2));
      assertThat(r.tokensPerSecond(longer, roofline.compute(longer))).as(what + ", context doubled")
          .isLessThanOrEqualTo(ref * (1 + 1e-12));
      Scenario faster = s.withDevice(new dev.tuner.core.scenario.DeviceSpec(d.name(), d.vendor(),
          d.memBandwidthGBs() * 2, d.fp16Tflops(), d.fp8Tflops(), d.fp32Tflops(), d.computeUnits(), d.l2CacheMb(),
          d.memoryGb(), d.aliases(), d.source(), d.chipFamily(), d.fp4Tflops(), d.int8Tops(), d.interconnect(),
          d.interconnectGBs()));
      assertThat(r.tokensPerSecond(faster, roofline.compute(faster))).as(what + ", bandwidth doubled")
          .isGreaterThanOrEqualTo(ref * (1 - 1e-12));
    }
  }

  private static final double[] KV_FACTORS = {1.5, 2, 4, 6};
}
