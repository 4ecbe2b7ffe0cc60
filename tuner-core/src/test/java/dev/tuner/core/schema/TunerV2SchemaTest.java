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
    Scenario s = Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"), CATALOG.quant("Q4_K_M"),
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
    // the RTX 4090 has a catalogued link (PCIe4 x16, 32 GB/s per direction): nothing is flagged missing
    assertThat(slot(v, "interconnect_missing")).isZero();
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

  @Test
  void theOldSchemasAreUnchangedAndListedBesideTheNewOne() {
    assertThat(FeatureSchemas.all()).extracting(FeatureSchema::id)
        .containsExactly(FeatureSchemas.TUNER_V1, FeatureSchemas.TUNER_V2, FeatureSchemas.TUNER_V3,
            FeatureSchemas.TUNER_V4, FeatureSchemas.REFERENCE_V1);
    assertThat(FeatureSchemas.byId("tuner-v2")).isSameAs(schema);
    // the hash the models trained on tuner-v2 record (the default model until tuner-v3): they still load
    assertThat(schema.hash()).isEqualTo("9d1cd97c12550abfd3c82c5243e208e1d7f145af91db8266b42f5cf6180befc5");
    assertThat(FeatureSchemas.tunerV1().width()).isEqualTo(43);
    assertThat(FeatureSchemas.referenceV1().width()).isEqualTo(42);
    assertThat(schema.slotNames()).doesNotHaveDuplicates().noneMatch(n -> n.startsWith("kernel_"));
  }
}
