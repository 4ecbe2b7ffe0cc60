package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models added to the catalog in the third and fourth rounds of 2026-12-06 (data/SOURCES.md, "Catalog models added on
 * 2026-12-06 (third round)" and "(fourth round)") predict through the command line by their names and their aliases,
 * dense and mixture-of-experts.
 */
class ThirdRoundCatalogModelsCliTest {

  /**
   * New dense models in Q4_K_M on an RTX 4090 (1008 GB/s), decoding 512 tokens. The memory roof streams every weight
   * but the input table at 4.8944 bits, plus one gathered row; the KV cache at the mean length 256 adds layers × 2 ×
   * KV heads × 128 × 256 × 2 bytes.
   * <ul>
   *   <li>OLMo 2 7B: (7.30e9 − 100352 × 4096) × 4.8944 / 8 = 4 214 664 632 bytes + 4096 × 4.8944 / 8 = 2 506; KV 32 ×
   *       2 × 32 × 128 × 256 × 2 = 134 217 728; 1008 GB/s over 4 348 884 866 bytes = 231.78 tokens/s.
   *   <li>Phi-3 Medium 14B: (13.96e9 − 32064 × 5120) × 4.8944 / 8 = 8 440 290 213 bytes + 5120 × 4.8944 / 8 = 3 132;
   *       KV 40 × 2 × 10 × 128 × 256 × 2 = 52 428 800; 1008 GB/s over 8 492 722 146 bytes = 118.69 tokens/s.
   * </ul>
   */
  @ParameterizedTest
  @CsvSource({
      "OLMo 2 7B, 7.30e9, 100352, 4096, 32, 32, 231.78",
      "Phi-3 Medium 14B, 13.96e9, 32064, 5120, 40, 10, 118.69"
  })
  void aNewDenseModelPredictsUnderItsHandComputedRoof(String model, double params, int vocab, int hidden,
      int layers, int kvHeads, double handRoof) {
    Cli.Result r = Cli.run("predict", "--model", model, "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("scenario").get("model").get("name").asText()).isEqualTo(model);
    double weights = (params - (double) vocab * hidden) * 4.8944 / 8 + hidden * 4.8944 / 8;
    double kv = layers * 2.0 * kvHeads * 128 * 256 * 2;
    assertThat(j.get("roofline_tokens_per_s").asDouble()).isCloseTo(1008e9 / (weights + kv), within(0.01));
    assertThat(j.get("roofline_tokens_per_s").asDouble()).isCloseTo(handRoof, within(0.01));
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  /** Mixtures of experts with shared experts print their expert layout and active parameters. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Qwen/Qwen1.5-MoE-A2.7B-Chat | RTX 4090 | Qwen1.5-MoE-A2.7B: 14.32 B params | 60 experts, top-4 + 4 shared"
          + " | 2.69 B active",
      "Qwen/Qwen2-57B-A14B-Instruct | H100 SXM5 80GB | Qwen2-57B-A14B: 57.41 B params | 64 experts, top-8 + 8 shared"
          + " | 14.25 B active"
  })
  void aNewMixtureOfExpertsWithSharedExpertsPredicts(String model, String device, String params, String layout,
      String active) {
    Cli.Result r = Cli.run("predict", "--model", model, "--device", device, "--quant", "Q4_K_M", "--context", "512");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains(params, layout, active, "Prediction", "tokens/s", "roofline");
  }

  @Test
  void hubIdsNameTheirRows() {
    assertThat(Cli.resolvedModel("google/gemma-2b-it")).isEqualTo("Gemma 2B");
    assertThat(Cli.resolvedModel("mistralai/Devstral-Small-2507")).isEqualTo("Devstral Small 1.1");
    assertThat(Cli.resolvedModel("Qwen/Qwen3-30B-A3B-Thinking-2507")).isEqualTo("Qwen3-30B-A3B-Thinking-2507");
    // the 2507 instruct releases are rows of their own: same shape, 262 144 tokens where the originals declare 40 960
    assertThat(Cli.resolvedModel("Qwen/Qwen3-30B-A3B-Instruct-2507")).isEqualTo("Qwen3-30B-A3B-Instruct-2507");
    assertThat(Cli.resolvedModel("Qwen/Qwen3-235B-A22B-Instruct-2507")).isEqualTo("Qwen3-235B-A22B-Instruct-2507");
    assertThat(Cli.resolvedModel("HuggingFaceTB/SmolLM3-3B")).isEqualTo("SmolLM3 3B");
    assertThat(Cli.resolvedModel("THUDM/glm-4-9b-chat")).isEqualTo("GLM-4 9B");
    assertThat(Cli.resolvedModel("codellama/CodeLlama-13b-Instruct-hf")).isEqualTo("CodeLlama 13B");
    assertThat(Cli.resolvedModel("Qwen/Qwen2-7B-Instruct")).isEqualTo("Qwen2 7B");
    assertThat(Cli.resolvedModel("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct")).isEqualTo("DeepSeek-Coder-V2-Lite");
  }
}
