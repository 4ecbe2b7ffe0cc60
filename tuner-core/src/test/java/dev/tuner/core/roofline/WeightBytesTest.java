package dev.tuner.core.roofline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Bytes per weight of the experts and of the other tensors, against hand arithmetic. */
class WeightBytesTest {
  private static Quantization split(double average, double expert) {
    return new Quantization("split", average, QuantClass.Q4_0, Activation.INT8, List.of(), "t",
        OptionalDouble.of(expert), OptionalDouble.empty());
  }

  @Test
  void theOtherTensorsTakeWhatTheExpertsLeaveOfTheAverage() {
    // Qwen3-30B-A3B: 30 532 122 624 parameters, 28 991 029 248 of them routed experts (ModernModelsTest). An average
    // of 5 bits with 4.25-bit experts: (30 532 122 624 × 5/8 − 28 991 029 248 × 4.25/8) / 1 541 093 376
    // = 3 681 092 352 / 1 541 093 376 = 2.388 623 8 bytes (19.1 bits) for the others
    ModelPhysics physics = new ModelPhysics(ModernModelsTest.QWEN3_30B_A3B);
    WeightBytes b = WeightBytes.of(physics, split(5, 4.25));
    assertThat(b.expert()).isEqualTo(4.25 / 8);
    assertThat(b.other()).isCloseTo(3_681_092_352.0 / 1_541_093_376.0, within(1e-12));
  }

  @Test
  void aFormatOfOneKindADenseModelOrFiguresThatCannotHoldGiveTheAverageToBoth() {
    ModelPhysics moe = new ModelPhysics(ModernModelsTest.QWEN3_30B_A3B);
    Quantization plain = Fixtures.quant(4.5, QuantClass.Q4_K);
    assertThat(WeightBytes.of(moe, plain)).isEqualTo(new WeightBytes(4.5 / 8, 4.5 / 8));
    ModelPhysics dense = new ModelPhysics(Fixtures.model(8));
    assertThat(WeightBytes.of(dense, split(5, 4.25))).isEqualTo(new WeightBytes(5.0 / 8, 5.0 / 8));
    // a 2-bit average under 4.25-bit experts leaves the others a negative size
    assertThat(WeightBytes.of(moe, split(2, 4.25))).isEqualTo(new WeightBytes(2.0 / 8, 2.0 / 8));
  }

  @Test
  void aFormatThatFixesItsOtherTensorsGivesThemItsOwnBitsAndADenseModelTakesThemEverywhere() {
    Quantization fixed = new Quantization("fixed", 4.3, QuantClass.Q4_0, Activation.INT8, List.of(), "t",
        OptionalDouble.of(4.25), OptionalDouble.of(8.5));
    assertThat(WeightBytes.of(new ModelPhysics(ModernModelsTest.QWEN3_30B_A3B), fixed))
        .isEqualTo(new WeightBytes(4.25 / 8, 8.5 / 8));
    // llama-quantize writes a dense model's tensors in MXFP4_MOE as Q8_0: no tensor has experts along a third axis
    assertThat(WeightBytes.of(new ModelPhysics(Fixtures.model(8)), fixed)).isEqualTo(new WeightBytes(8.5 / 8, 8.5 / 8));
    // a file's size is the truth about its other tensors: they take what the experts leave of it again
    Quantization sized = fixed.withAverageBits(5, "file size");
    assertThat(sized.otherBitsPerWeight()).isEmpty();
    assertThat(WeightBytes.of(new ModelPhysics(ModernModelsTest.QWEN3_30B_A3B), sized).other())
        .isCloseTo(3_681_092_352.0 / 1_541_093_376.0, within(1e-12));
  }

  @Test
  void anOtherFigureWithoutAnExpertFigureIsRefused() {
    assertThatThrownBy(() -> new Quantization("odd", 8, QuantClass.Q8_0, Activation.INT8, List.of(), "t",
        OptionalDouble.empty(), OptionalDouble.of(8.5)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("other bits per weight of odd")
        .hasMessageContaining("8.5").hasMessageContaining("expert bits per weight");
  }

  /*
   * The catalog's gpt-oss-120b: 116.83 B parameters, hidden 2880, 36 layers of 128 experts (FFN 2880), 4 per token,
   * vocabulary 201 088, untied. Routed: 36 × 128 × 3 × 2880² = 114 661 785 600; tables 201 088 × 2880 = 579 133 440
   * each; dense body 116 830 000 000 − 2 × 579 133 440 − 114 661 785 600 = 1 009 947 520. One decode token reads 4
   * experts per layer (3 583 180 800 parameters at 4.25 bits = 1 903 564 800 bytes), the dense body, the LM head and
   * one gathered row of 2880: 1 589 083 840 parameters at the other tensors' bits.
   */

  @Test
  void gptOss120bConvertedAtF16ReadsItsSixteenBitTensorsAtSixteenBits() {
    // 1 589 083 840 × 2 + 1 903 564 800 = 5 081 732 480 bytes, where the 4.475-bit average alone gave 2 893 235 533
    RooflineResult r = new Roofline(Fixtures.CATALOG).compute(Fixtures.scenario(Fixtures.CATALOG.model("gpt-oss-120b"),
        Fixtures.CATALOG.device("RTX 4090"), Fixtures.CATALOG.quant("MXFP4_EXPERTS_F16"), 1, 0, Phase.DECODE));
    assertThat(r.weightBytes()).isCloseTo(5_081_732_480.0, within(1.0));
  }

  @Test
  void gptOss120bInLlamaQuantizesMxfp4MoeReadsItsRestAsQ8AndADgxSparkMeasurementStaysUnderItsRoof() {
    // 1 589 083 840 × 1.0625 + 1 903 564 800 = 3 591 966 380 bytes
    RooflineResult r = new Roofline(Fixtures.CATALOG).compute(Fixtures.scenario(Fixtures.CATALOG.model("gpt-oss-120b"),
        Fixtures.CATALOG.device("DGX Spark"), Fixtures.CATALOG.quant("MXFP4_MOE"), 1, 0, Phase.DECODE));
    assertThat(r.weightBytes()).isCloseTo(3_591_966_380.0, within(1.0));
    // 273 GB/s: at most 76.0 tokens/s. llama.cpp's benches/dgx-spark.md publishes 59.0 (tg32) for this file, above
    // the 52.9 the 16-bit rest allowed
    assertThat(r.memoryRoof()).isCloseTo(273e9 / 3_591_966_380.0, within(0.5)).isGreaterThan(59.0);
  }
}
