package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Models added to the catalog in the third round of 2026-12-06 (data/SOURCES.md, "Catalog models added on 2026-12-06
 * (third round)") predict through the command line by their names and their aliases, dense and mixture-of-experts.
 */
class ThirdRoundCatalogModelsCliTest {

  /**
   * OLMo 2 7B in Q4_K_M on an RTX 4090, decoding 512 tokens. The memory roof streams every weight but the input table
   * at 4.8944 bits: (7.30e9 − 100352 × 4096) × 4.8944 / 8 = 4 214 664 632 bytes, plus one gathered row 4096 × 4.8944 / 8
   * = 2 506 bytes; the KV cache at the mean length 256 adds 32 layers × 2 × 32 KV heads × 128 × 256 × 2 bytes =
   * 134 217 728. 1008 GB/s over 4 348 884 866 bytes = 231.78 tokens/s.
   */
  @Test
  void aNewDenseModelPredictsUnderItsHandComputedRoof() {
    Cli.Result r = Cli.run("predict", "--model", "OLMo 2 7B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("scenario").get("model").get("name").asText()).isEqualTo("OLMo 2 7B");
    double weights = (7.30e9 - 100352.0 * 4096) * 4.8944 / 8 + 4096 * 4.8944 / 8;
    double kv = 32 * 2.0 * 32 * 128 * 256 * 2;
    assertThat(j.get("roofline_tokens_per_s").asDouble()).isCloseTo(1008e9 / (weights + kv), within(0.01));
    assertThat(j.get("roofline_tokens_per_s").asDouble()).isCloseTo(231.78, within(0.01));
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  @Test
  void aNewMixtureOfExpertsWithASharedExpertPredicts() {
    Cli.Result r = Cli.run("predict", "--model", "Qwen/Qwen1.5-MoE-A2.7B-Chat", "--device", "RTX 4090", "--quant",
        "Q4_K_M", "--context", "512");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Qwen1.5-MoE-A2.7B: 14.32 B params", "60 experts, top-4 + 4 shared", "2.69 B active",
        "Prediction", "tokens/s", "roofline");
  }

  @Test
  void hubIdsNameTheirRows() {
    assertThat(scenarioModel("google/gemma-2b-it")).isEqualTo("Gemma 2B");
    assertThat(scenarioModel("mistralai/Devstral-Small-2507")).isEqualTo("Devstral Small 1.1");
    assertThat(scenarioModel("Qwen/Qwen3-30B-A3B-Thinking-2507")).isEqualTo("Qwen3-30B-A3B-Thinking-2507");
    assertThat(scenarioModel("HuggingFaceTB/SmolLM3-3B")).isEqualTo("SmolLM3 3B");
  }

  private static String scenarioModel(String name) {
    Cli.Result r = Cli.run("predict", "--model", name, "--device", "RTX 4090", "--quant", "Q4_K_M", "--context",
        "128", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("scenario").get("model").get("name").asText();
  }
}
