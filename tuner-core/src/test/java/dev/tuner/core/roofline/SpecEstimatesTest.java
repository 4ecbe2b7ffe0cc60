package dev.tuner.core.roofline;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.roofline.SpecEstimates.Estimate;
import dev.tuner.core.roofline.SpecEstimates.Source;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Each rule of {@link SpecEstimates} pinned to a hand-computed figure. */
class SpecEstimatesTest {
  private final SpecEstimates catalog = SpecEstimates.of(CATALOG);

  /** A device of the made-up series XA/XB: figures 0 are unknown. */
  private static DeviceSpec device(String name, String vendor, String family, double fp16, double fp4, double int8,
      double fp32, int units) {
    return new DeviceSpec(name, vendor, 500, figure(fp16), OptionalDouble.empty(), figure(fp32), units,
        OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "t", family, figure(fp4), figure(int8), "",
        OptionalDouble.empty());
  }

  private static OptionalDouble figure(double v) {
    return v > 0 ? OptionalDouble.of(v) : OptionalDouble.empty();
  }

  private final List<DeviceSpec> relatives = List.of(
      device("A1", "Acme", "XA102", 100, 0, 200, 25, 50),
      device("A2", "Acme", "XA104", 66, 0, 132, 15, 30),
      device("A3", "Acme", "XA100", 300, 0, 600, 20, 100),
      device("B1", "Acme", "XB102", 300, 1200, 600, 75, 40),
      device("C1", "Other", "XA102", 1000, 0, 0, 1, 10));

  @Test
  void anFp32FigureAndItsGenerationsMedianRatioGiveTheFp16Estimate() {
    // XA106 is generation XA1 (no sibling of its own family): A1 100 / 25 = 4, A2 66 / 15 = 4.4, A3 300 / 20 = 15,
    // all at distance 2 (same generation and tier); median 4.4; × 10 TFLOPS = 44. Other's XA102 is another vendor.
    DeviceSpec card = device("A9", "Acme", "XA106", 0, 0, 0, 10, 20);
    SpecEstimates e = new SpecEstimates(relatives);
    Estimate fp16 = e.fp16(card);
    assertThat(fp16.source()).isEqualTo(Source.ESTIMATED);
    assertThat(fp16.value()).isCloseTo(10 * 4.4, within(1e-9));
    assertThat(fp16.basis()).isEqualTo("its FP32 peak 10.0 × 4.4000, the median FP16/FP32 ratio of 3 Acme devices"
        + " (A1, A2, A3)");
    // the bound: Acme's highest FP16 per unit is B1's 300 / 40 = 7.5 (A3 3.0, A1 2.0, A2 2.2), × 20 units = 150
    Estimate bound = e.generousFp16(card);
    assertThat(bound.value()).isCloseTo(150, within(1e-9));
    assertThat(bound.basis()).contains("20 compute units × 7.5000, the highest FP16 TFLOPS per unit of any"
        + " catalogued Acme device");
    // INT8 from the estimated FP16: every XA1 relative has INT8 / FP16 = 2, so 44 × 2 = 88
    assertThat(e.int8(card).value()).isCloseTo(88, within(1e-9));
    assertThat(e.int8(card).basis()).startsWith("its estimated FP16 peak 44.0 × 2.0000");
    assertThat(e.fp32(card)).isEqualTo(new Estimate(10, Source.CATALOGUED, ""));
  }

  @Test
  void anotherTensorPeakComesBeforeTheFp32FigureAndTheChipFamilyBeforeItsGeneration() {
    // the card has FP4 400 and FP32 10; only B1 (XB102, its own family) has FP4: FP16/FP4 = 300 / 1200 = 0.25,
    // so 400 × 0.25 = 100, where the FP32 rule would have given 10 × 4 (B1's 300 / 75) = 40
    DeviceSpec card = device("B9", "Acme", "XB102", 0, 400, 0, 10, 10);
    Estimate fp16 = new SpecEstimates(relatives).fp16(card);
    assertThat(fp16.value()).isCloseTo(100, within(1e-9));
    assertThat(fp16.basis()).isEqualTo("its FP4 peak 400.0 × 0.2500, the median FP16/FP4 ratio of B1");
    // the bound is never below the best estimate: 10 units × 7.5 = 75 < 100
    assertThat(new SpecEstimates(relatives).generousFp16(card).value()).isCloseTo(100, within(1e-9));
  }

  @Test
  void withoutOtherPeaksTheNearestRelativesRatePerUnitTimesTheUnits() {
    // XA1 relatives per unit: A1 100 / 50 = 2.0, A2 66 / 30 = 2.2, A3 300 / 100 = 3.0; median 2.2 × 20 = 44
    DeviceSpec card = device("A8", "Acme", "XA107", 0, 0, 0, 0, 20);
    Estimate fp16 = new SpecEstimates(relatives).fp16(card);
    assertThat(fp16.value()).isCloseTo(44, within(1e-9));
    assertThat(fp16.basis()).isEqualTo("20 compute units × 2.2000, the median FP16 TFLOPS per unit of 3 Acme devices"
        + " (A1, A2, A3)");
  }

  @Test
  void nothingToGoOnIsUnknownNotZeroPretendingToBeAFigure() {
    DeviceSpec lonely = device("Z", "Zeta", "Z1", 0, 0, 0, 0, 0);
    SpecEstimates e = new SpecEstimates(relatives);
    assertThat(e.fp16(lonely).source()).isEqualTo(Source.UNKNOWN);
    assertThat(e.generousFp16(lonely).source()).isEqualTo(Source.UNKNOWN);
    assertThat(e.fp32(lonely).source()).isEqualTo(Source.UNKNOWN);
    assertThat(e.int8(lonely).source()).isEqualTo(Source.UNKNOWN);
    // units but no relative of the vendor's series: the bound still has the vendor's best rate, the model nothing
    DeviceSpec stranger = device("Q", "Acme", "QZ9", 0, 0, 0, 0, 4);
    assertThat(e.fp16(stranger).source()).isEqualTo(Source.UNKNOWN);
    assertThat(e.generousFp16(stranger).value()).isCloseTo(4 * 7.5, within(1e-9));
    // no units: the model still gets 10 × 4.4 from the FP32 figure, but the bound gets no compute roof, since a
    // best estimate may be low
    DeviceSpec unitless = device("A7", "Acme", "XA106", 0, 0, 0, 10, 0);
    assertThat(e.fp16(unitless).value()).isCloseTo(44, within(1e-9));
    assertThat(e.generousFp16(unitless).source()).isEqualTo(Source.UNKNOWN);
  }

  /**
   * Apple M3 Max (40-core GPU): no M3 device has a figure, the nearest generation with the same tier is the M2 Max:
   * 10.7 / 30 = 0.356667 and 13.6 / 38 = 0.357895 TFLOPS per core, median 0.357281, × 40 = 14.291 TFLOPS. The bound
   * takes Apple's highest per core, the M2 8-core's 2.9 / 8 = 0.3625, × 40 = 14.5.
   */
  @Test
  void appleM3MaxFromTheM2Max() {
    DeviceSpec m3Max = CATALOG.device("Apple M3 Max (40-core GPU)");
    Estimate fp16 = catalog.fp16(m3Max);
    assertThat(fp16.value()).isCloseTo((10.7 / 30 + 13.6 / 38) / 2 * 40, within(1e-9)).isCloseTo(14.291,
        within(0.001));
    assertThat(fp16.basis()).contains("Apple M2 Max (30-core GPU), Apple M2 Max (38-core GPU)");
    assertThat(catalog.generousFp16(m3Max).value()).isCloseTo(2.9 / 8 * 40, within(1e-9));
    // the M2 Max's FP32/FP16 ratio is 1: the vector estimate is the same figure
    assertThat(catalog.fp32(m3Max).value()).isCloseTo(fp16.value(), within(1e-9));
    // two generations on, the M4 Max 40-core still takes the M2 Max (the M3 Max has no figure of its own)
    assertThat(catalog.fp16(CATALOG.device("Apple M4 Max (40-core GPU)")).value()).isCloseTo(fp16.value(),
        within(1e-9));
  }

  /**
   * NVIDIA GB10 (DGX Spark): FP16 not published, FP4 500 dense. Its generation GB1 holds B200 (2250 / 9000) and
   * GB200 (2500 / 10000), FP16/FP4 = 0.25 both: 500 × 0.25 = 125 TFLOPS. The bound keeps NVIDIA's highest FP16 per
   * SM, GB200's 2500 / 148 = 16.8919, × 48 SMs = 810.8 TFLOPS: 6.5 times the estimate the model is given.
   */
  @Test
  void gb10FromItsFp4PeakAndBlackwellsTensorRatio() {
    DeviceSpec gb10 = CATALOG.device("NVIDIA GB10 (DGX Spark)");
    assertThat(catalog.fp16(gb10).value()).isCloseTo(125, within(1e-9));
    assertThat(catalog.generousFp16(gb10).value()).isCloseTo(2500.0 / 148 * 48, within(1e-9));
    assertThat(catalog.fp32(gb10).known()).isTrue();
  }

  @Test
  void generationsFollowTheChipFamilysNaming() {
    assertThat(SpecEstimates.generation("GA102")).isEqualTo("ga1");
    assertThat(SpecEstimates.generation("GB10")).isEqualTo(SpecEstimates.generation("GB100"));
    assertThat(SpecEstimates.generation("GB202")).isEqualTo("gb2");
    assertThat(SpecEstimates.generation("M3-Max")).isEqualTo("m3");
    assertThat(SpecEstimates.generation("Navi31")).isEqualTo("navi3");
    assertThat(SpecEstimates.generation("Strix-Halo")).isEqualTo("strix");
  }

  @Test
  void aFullyCataloguedDeviceIsItsOwnFigures() {
    DeviceSpec h100 = CATALOG.device("H100 SXM5 80GB");
    SpecEstimates.DeviceEstimates e = catalog.of(h100);
    assertThat(e.fp16()).isEqualTo(e.generousFp16()).isEqualTo(new Estimate(989.5, Source.CATALOGUED, ""));
    assertThat(e.fp32().value()).isEqualTo(66.9);
    assertThat(e.int8().value()).isEqualTo(1979);
  }
}
