package dev.tuner.core.schema;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import org.junit.jupiter.api.Test;

/** tuner-v4 is tuner-v3 with the rows a routed expert's GEMM multiplies in a full prompt chunk appended. */
class TunerV4SchemaTest {
  private final FeatureSchema schema = FeatureSchemas.tunerV4();
  private final FeatureEncoder encoder = new FeatureEncoder(schema);
  private final Roofline roofline = new Roofline(CATALOG);

  private double rows(String model, int nUbatch, int prompt) {
    Scenario s = Fixtures.scenario(CATALOG.model(model), CATALOG.device("RTX 4090"), CATALOG.quant("Q4_K_M"), 1,
        prompt, Phase.PREFILL).withEngine(EngineSettings.of(nUbatch, null, null, null));
    return FeatureEncoder.expertChunkRows(s);
  }

  @Test
  void itKeepsTunerV3sSlotsInOrderAndAppendsOne() {
    FeatureSchema v3 = FeatureSchemas.tunerV3();
    assertThat(schema.slots().subList(0, v3.width())).isEqualTo(v3.slots());
    assertThat(schema.slotNames().subList(v3.width(), schema.width())).containsExactly("expert_chunk_rows_log");
    assertThat(schema.hash()).isNotEqualTo(v3.hash());
    assertThat(FeatureSchemas.byId("TUNER-V4")).isSameAs(schema);
  }

  @Test
  void aMixtureSpreadsItsChunkOverItsExpertsAndADenseModelDoesNot() {
    // Qwen3-30B-A3B routes each token to 8 of 128 experts: a 512-token chunk gives each expert 512 × 8 / 128 = 32 rows
    assertThat(rows("Qwen3-30B-A3B", 512, 2048)).isEqualTo(32);
    // gpt-oss-20b: 4 of 32 experts, a chunk of 64 tokens: 64 × 4 / 32 = 8 rows
    assertThat(rows("gpt-oss-20b", 64, 2048)).isEqualTo(8);
    assertThat(rows("Llama 3 8B", 512, 2048)).isEqualTo(512);
    // the chunk, not the prompt: a shorter prompt than the chunk leaves the slot where it is (no physics axis moves it)
    assertThat(rows("Qwen3-30B-A3B", 512, 16)).isEqualTo(32);
    Scenario s = Fixtures.scenario(CATALOG.model("Qwen3-30B-A3B"), CATALOG.device("RTX 4090"), CATALOG.quant("Q4_K_M"),
        1, 512, Phase.PREFILL);
    float[] v = encoder.encode(s, roofline.compute(s));
    // log normalisation over [0.01, 2^20]: (ln 32 − ln 0.01) / (ln 2^20 − ln 0.01)
    double expected = (Math.log(32) - Math.log(0.01)) / (Math.log(1 << 20) - Math.log(0.01));
    assertThat((double) v[schema.indexOf("expert_chunk_rows_log")]).isCloseTo(expected, within(1e-6));
  }
}
