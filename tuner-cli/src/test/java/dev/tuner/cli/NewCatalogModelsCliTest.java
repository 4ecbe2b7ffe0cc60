package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Models added to the catalog on 2026-12-06 (data/SOURCES.md, "Catalog models added on 2026-12-06") predict through
 * the command line by their names and their aliases, dense and mixture-of-experts alike.
 */
class NewCatalogModelsCliTest {

  /**
   * Mistral Nemo 12B in Q4_K_M on an RTX 4090, decoding 512 tokens. The memory roof streams every weight but the
   * input table at 4.8944 bits: (12.25e9 − 131072 × 5120) × 4.8944 / 8 = 7 083 977 970 bytes, plus one gathered row
   * 5120 × 4.8944 / 8 = 3 132 bytes; the KV cache at the mean length 256 adds 40 layers × 2 × 8 KV heads × 128 × 256 ×
   * 2 bytes = 41 943 040. 1008 GB/s over 7 125 924 142 bytes = 141.455 tokens/s.
   */
  @Test
  void aNewDenseModelPredictsUnderItsHandComputedRoof() {
    Cli.Result r = Cli.run("predict", "--model", "Mistral Nemo 12B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("scenario").get("model").get("name").asText()).isEqualTo("Mistral Nemo 12B");
    double weights = (12.25e9 - 131072.0 * 5120) * 4.8944 / 8 + 5120 * 4.8944 / 8;
    double kv = 40 * 2.0 * 8 * 128 * 256 * 2;
    assertThat(j.get("roofline_tokens_per_s").asDouble()).isCloseTo(1008e9 / (weights + kv), within(0.01));
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  @Test
  void aNewMixtureOfExpertsWithLatentAttentionPredicts() {
    Cli.Result r = Cli.run("predict", "--model", "moonshotai/Kimi-K2-Instruct", "--device", "H100 SXM5 80GB",
        "--quant", "FP8", "--context", "512");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Kimi K2: 1026.41 B params", "384 experts, top-8 + 1 shared", "32.86 B active",
        "MLA (latent 512 + RoPE 64)", "Prediction", "tokens/s", "roofline");
  }

  @Test
  void hubIdsAndOllamaTagsNameTheirRows() {
    assertThat(Cli.resolvedModel("mistralai/Mistral-Nemo-Instruct-2407")).isEqualTo("Mistral Nemo 12B");
    assertThat(Cli.resolvedModel("deepseek-r1:1.5b")).isEqualTo("DeepSeek-R1-Distill-Qwen-1.5B");
    assertThat(Cli.resolvedModel("Qwen/Qwen3-Coder-30B-A3B-Instruct")).isEqualTo("Qwen3-Coder-30B-A3B-Instruct");
  }
}
