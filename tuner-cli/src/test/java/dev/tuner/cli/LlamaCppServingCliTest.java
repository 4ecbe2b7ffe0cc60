package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp server's serving metrics compose the shipped step model's steps (no serving row trains llama.cpp's
 * terms): one client's TPOT is the step model's decode of its output after its prompt, its TTFT the prompt's prefill.
 */
class LlamaCppServingCliTest {
  private static final String[] DEPLOYMENT = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--format", "json"};

  private static JsonNode run(String... more) {
    return Cli.json(DEPLOYMENT, more);
  }

  @Test
  void oneClientsTpotAndTtftAreTheStepModelsDecodeAndPrefill() {
    double decode = run("--context", "128", "--depth", "512").get("tokens_per_s").asDouble();
    double prefill = run("--context", "512", "--phase", "prefill").get("tokens_per_s").asDouble();
    JsonNode serving = run("--engine", "llama.cpp", "--isl", "512", "--osl", "128", "--concurrency", "1");
    assertThat(serving.get("tpot_ms").asDouble()).isCloseTo(1000 / decode, within(0.01 * 1000 / decode));
    assertThat(serving.get("ttft_ms").asDouble()).isCloseTo(512_000 / prefill, within(0.02 * 512_000 / prefill));
    assertThat(serving.get("assumptions").toString()).contains("llama.cpp steps from the step model")
        .doesNotContain("terms pooled over all engines");
    JsonNode tpot = serving.get("intervals").get("tpot_ms");
    assertThat(tpot.get("low").asDouble()).isLessThan(serving.get("tpot_ms").asDouble());
    assertThat(tpot.get("high").asDouble()).isGreaterThan(serving.get("tpot_ms").asDouble());
  }

  @Test
  void anotherEngineKeepsItsServingTerms() {
    Cli.Result vllm = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "BF16",
        "--engine", "vllm", "--isl", "512", "--osl", "128", "--concurrency", "1", "--format", "json");
    assertThat(vllm.exit()).as(vllm.toString()).isZero();
    assertThat(vllm.json().get("assumptions").toString()).doesNotContain("step model");
  }
}
