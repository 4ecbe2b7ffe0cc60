package dev.tuner.core.schema;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** tuner-v2's new slots read what the scenario states, and unknown figures raise their flags instead of reading 0. */
class TunerV2SchemaTest {
  private final FeatureSchema schema = FeatureSchemas.tunerV2();
  private final FeatureEncoder encoder = new FeatureEncoder(schema);
  private final Roofline roofline = new Roofline(CATALOG);

  private float slot(float[] v, String name) {
    return v[schema.indexOf(name)];
  }

  private float[] encode(Scenario s) {
    return encoder.encode(s, roofline.compute(s));
  }

  @Test
  void theEngineSettingsBackendDepthAndLayoutReachTheirSlots() {
    DeviceSpec unlinked = CATALOG.device("RTX 4090").withInterconnect("", OptionalDouble.empty());
    Scenario s = Fixtures.scenario(CATALOG.model("Llama 3 8B"), unlinked, CATALOG.quant("Q4_K_M"),
        1, 512, Phase.PREFILL).withDepth(4095).withEngine(new EngineSettings(256, true, Backend.VULKAN, "b4000"))
        .withParallel(new ParallelLayout(4, 2, 1, 1));
    float[] v = encode(s);
    assertThat(slot(v, "backend_vulkan")).isEqualTo(1);
    assertThat(slot(v, "backend_cuda")).isZero();
    assertThat(slot(v, "backend_unknown")).isZero();
    assertThat(slot(v, "flash_attention")).isEqualTo(1);
    // log(256) / log(65 536) = 8 / 16; log(4096) / log(2^20) = 12 / 20; log(2) / log(4096) = 1 / 12
    assertThat(slot(v, "n_ubatch_log")).isEqualTo(0.5f);
    assertThat(slot(v, "depth_log")).isCloseTo((float) (Math.log(4095) / Math.log(1 << 20)),
        org.assertj.core.api.Assertions.within(1e-6f));
    assertThat(slot(v, "tp_log")).isCloseTo(1 / 12f, org.assertj.core.api.Assertions.within(1e-6f));
    assertThat(slot(v, "arithmetic_int8")).isEqualTo(1);
    assertThat(slot(v, "active_fraction")).isEqualTo(1);
    assertThat(slot(v, "attention_gqa")).isEqualTo(1);
    // a device without a known link: a multi-device scenario flags it
    assertThat(slot(v, "interconnect_missing")).isEqualTo(1);
    assertThat(v).hasSize(schema.width());
  }

  @Test
  void unknownDeviceFiguresRaiseTheirFlags() {
    DeviceSpec bare = new DeviceSpec("bare", "NVIDIA", 1000, OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty(), 0, OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "t");
    float[] v = encode(Fixtures.scenario(CATALOG.model("Llama 3 8B"), bare, CATALOG.quant("Q4_K_M"), 1, 512,
        Phase.DECODE));
    assertThat(slot(v, "fp16_peak_missing")).isEqualTo(1);
    assertThat(slot(v, "fp32_peak_missing")).isEqualTo(1);
    assertThat(slot(v, "int8_peak_missing")).isEqualTo(1);
    assertThat(slot(v, "compute_units_missing")).isEqualTo(1);
    assertThat(slot(v, "l2_missing")).isEqualTo(1);
    assertThat(slot(v, "backend_unknown")).isEqualTo(1);
    float[] known = encode(Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("A100 PCIe 80GB"),
        CATALOG.quant("F16"), 1, 512, Phase.DECODE));
    assertThat(slot(known, "fp16_peak_missing")).isZero();
    assertThat(slot(known, "int8_peak_missing")).as("F16 computes in FP16").isZero();
    assertThat(slot(known, "l2_missing")).isZero();
  }

  /**
   * GB10 prefill in F16: the bound computes at 2250 / 148 × 48 = 729.7 TFLOPS, the model reads the best estimate,
   * 500 × 0.25 = 125 TFLOPS: peak_tflops_log = log(125 / 0.1) / log(20 000 / 0.1), in both schemas. Its flag says
   * the figure was imputed; its FP32 figure is catalogued.
   */
  @Test
  void theModelReadsTheBestEstimateOfAnUnknownPeakAndItsFlag() {
    Scenario s = Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("NVIDIA GB10 (DGX Spark)"),
        CATALOG.quant("F16"), 1, 2048, Phase.PREFILL);
    var r = roofline.compute(s);
    assertThat(r.peakTflops()).isCloseTo(2250.0 / 148 * 48, org.assertj.core.api.Assertions.within(1e-9));
    float expected = (float) (Math.log(125 / 0.1) / Math.log(20_000 / 0.1));
    float[] v = encoder.encode(s, r);
    assertThat(slot(v, "peak_tflops_log")).isEqualTo(expected);
    assertThat(slot(v, "fp16_peak_missing")).isEqualTo(1);
    assertThat(slot(v, "fp32_peak_missing")).isZero();
    FeatureSchema v1 = FeatureSchemas.tunerV1();
    assertThat(new FeatureEncoder(v1).encode(s, r)[v1.indexOf("peak_tflops_log")]).isEqualTo(expected);
    // the step time and the roof ratio the model reads are at 125 TFLOPS too: prefill is compute-bound there
    assertThat(FeatureEncoder.raw(Quantity.ROOF_STEP_SECONDS, s, r))
        .isCloseTo(r.tokensPerStep() / (r.computeRoof() * 125 / r.peakTflops()),
            org.assertj.core.api.Assertions.within(1e-12));
    assertThat(FeatureEncoder.raw(Quantity.ROOF_RATIO, s, r))
        .isCloseTo(r.roofRatio() * r.peakTflops() / 125, org.assertj.core.api.Assertions.within(1e-9));
  }

  /** A device whose figures are all catalogued reads exactly the bound's figures: nothing moves for it. */
  @Test
  void aCataloguedDeviceReadsTheBoundsFigures() {
    Scenario s = Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("Q4_K_M"), 4, 2048, Phase.PREFILL);
    var r = roofline.compute(s);
    assertThat(r.features()).isEqualTo(new dev.tuner.core.roofline.FeatureFigures(r.peakTflops(), false, false,
        false, false));
    assertThat(FeatureEncoder.raw(Quantity.ROOF_STEP_SECONDS, s, r)).isEqualTo(r.tokensPerStep()
        / r.tokensPerSecond());
    assertThat(FeatureEncoder.raw(Quantity.ROOF_RATIO, s, r)).isEqualTo(r.roofRatio());
  }

  @Test
  void theOldSchemasAreUnchangedAndListedBesideTheNewOne() {
    assertThat(FeatureSchemas.all()).extracting(FeatureSchema::id)
        .containsExactly(FeatureSchemas.TUNER_V1, FeatureSchemas.TUNER_V2, FeatureSchemas.REFERENCE_V1);
    assertThat(FeatureSchemas.byId("tuner-v2")).isSameAs(schema);
    assertThat(FeatureSchemas.tunerV1().width()).isEqualTo(43);
    assertThat(FeatureSchemas.referenceV1().width()).isEqualTo(42);
    assertThat(schema.slotNames()).doesNotHaveDuplicates().noneMatch(n -> n.startsWith("kernel_"));
  }
}
