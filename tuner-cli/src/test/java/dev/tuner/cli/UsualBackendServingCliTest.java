package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp serving prediction without {@code --backend} runs on the backend llama.cpp usually runs on the device,
 * whose step-model terms set its figures, and lists that among its assumptions once, in a step prediction's words;
 * vLLM, which runs one backend on a vendor's devices, assumes none.
 */
class UsualBackendServingCliTest {
  private static final String[] LLAMA_CPP = {"predict", "--model", "Llama 3.1 8B", "--quant", "Q4_K_M", "--engine",
      "llama.cpp", "--isl", "1000", "--osl", "200", "--concurrency", "4", "--format", "json"};
  private static final String[] VLLM = {"predict", "--model", "Llama 3.1 8B", "--quant", "BF16", "--engine", "vllm",
      "--isl", "1000", "--osl", "200", "--concurrency", "8", "--format", "json"};

  private static String assumptions(JsonNode n) {
    return n.get("assumptions").toString();
  }

  @Test
  void llamaCppWithoutABackendSaysWhichItAssumedOnceAndPredictsAsThatBackend() {
    JsonNode unstated = Cli.json(LLAMA_CPP, "--device", "RTX 4090");
    JsonNode cuda = Cli.json(LLAMA_CPP, "--device", "RTX 4090", "--backend", "CUDA");
    JsonNode vulkan = Cli.json(LLAMA_CPP, "--device", "RTX 4090", "--backend", "Vulkan");
    assertThat(assumptions(unstated)).contains("no backend given: cuda assumed, what llama.cpp runs on NVIDIA devices"
        + " as Ollama ships it (state another: Engine's backend, --backend in the CLI)");
    assertThat(assumptions(unstated).split("no backend given", -1)).hasSize(2);
    assertThat(assumptions(cuda)).doesNotContain("no backend given");
    assertThat(unstated.get("output_tokens_per_s").asDouble()).isEqualTo(cuda.get("output_tokens_per_s").asDouble());
    // the backend matters: the step model predicts llama.cpp's steps per backend
    assertThat(vulkan.get("output_tokens_per_s").asDouble()).isNotEqualTo(
        unstated.get("output_tokens_per_s").asDouble());
    assertThat(assumptions(vulkan)).doesNotContain("no backend given");
  }

  @Test
  void anAmdCardAssumesRocmAndTheTableListsItOnce() {
    JsonNode amd = Cli.json(LLAMA_CPP, "--device", "AMD Radeon RX 7900 XTX");
    assertThat(assumptions(amd)).contains("no backend given: rocm assumed, what llama.cpp runs on AMD devices");
    Cli.Result table = Cli.run("predict", "--model", "Llama 3.1 8B", "--quant", "Q4_K_M", "--engine", "ollama",
        "--device", "AMD Radeon RX 7900 XTX", "--isl", "1000", "--osl", "200", "--concurrency", "4");
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat((table.out() + table.err()).split("no backend given: rocm assumed", -1)).hasSize(2);
  }

  @Test
  void vllmAssumesNoBackendOnAnyVendor() {
    assertThat(assumptions(Cli.json(VLLM, "--device", "H100 SXM5 80GB"))).doesNotContain("no backend given");
    assertThat(assumptions(Cli.json(VLLM, "--device", "AMD Instinct MI300X"))).doesNotContain("no backend given");
  }
}
