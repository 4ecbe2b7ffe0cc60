package dev.tuner.core.schema;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.BlasLibrary;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** tuner-v3 is tuner-v2 with the build's month and the BLAS library appended. */
class TunerV3SchemaTest {
  private final FeatureSchema schema = FeatureSchemas.tunerV3();
  private final FeatureEncoder encoder = new FeatureEncoder(schema);
  private final Roofline roofline = new Roofline(CATALOG);

  private float[] encode(EngineSettings e) {
    Scenario s = Fixtures.scenario(CATALOG.model("Llama 2 7B"), CATALOG.device("AMD Radeon RX 7900 XTX"), CATALOG.quant("Q4_0"),
        1, 512, Phase.PREFILL).withEngine(e);
    return encoder.encode(s, roofline.compute(s));
  }

  private float slot(float[] v, String name) {
    return v[schema.indexOf(name)];
  }

  @Test
  void itKeepsTunerV2sSlotsInOrderAndAppendsTwo() {
    FeatureSchema v2 = FeatureSchemas.tunerV2();
    assertThat(schema.slots().subList(0, v2.width())).isEqualTo(v2.slots());
    assertThat(schema.slotNames().subList(v2.width(), schema.width()))
        .containsExactly("build_month", "blas_hipblaslt");
    assertThat(schema.hash()).isNotEqualTo(v2.hash());
    assertThat(FeatureSchemas.byId("TUNER-V3")).isSameAs(schema);
  }

  @Test
  void aDatedBuildReadsItsMonthAndHipBlasLtItsOneHot() {
    float[] v = encode(new EngineSettings(512, false, Backend.ROCM, "b6077", Optional.of(YearMonth.of(2025, 8)),
        BlasLibrary.HIPBLASLT));
    // 2025-08 is month (2025 − 2023) × 12 + 8 = 32 of the 240 the slot spans
    assertThat(slot(v, "build_month")).isEqualTo(32 / 240f);
    assertThat(slot(v, "blas_hipblaslt")).isEqualTo(1);
  }

  @Test
  void anUndatedBuildTakesMay2024AndTheDefaultBlasNoOneHot() {
    float[] v = encode(EngineSettings.DEFAULTS);
    // 2024-05 is month (2024 − 2023) × 12 + 5 = 17
    assertThat(slot(v, "build_month")).isEqualTo(17 / 240f);
    assertThat(slot(v, "blas_hipblaslt")).isZero();
  }
}
