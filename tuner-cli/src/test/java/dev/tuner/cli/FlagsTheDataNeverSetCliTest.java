package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * No shipped measurement ran with CUDA graphs or zero-copy weights, so the default model never saw those inputs vary:
 * a prediction that sets one says so and takes the worst-case unseen device's interval; zero-copy still moves the
 * roofline (weights over the host link), which bounds the answer.
 */
class FlagsTheDataNeverSetCliTest {
  private static final String[] LLAMA_ON_4090 = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--context", "512", "--format", "json"};

  private static JsonNode predict(String... more) {
    return Cli.json(LLAMA_ON_4090, more);
  }

  private static double width(JsonNode p) {
    return p.get("interval").get("high").asDouble() / p.get("interval").get("low").asDouble();
  }

  @Test
  void cudaGraphsChangeNothingLearnedAndWidenTheInterval() {
    JsonNode plain = predict();
    JsonNode graphs = predict("--cuda-graphs");
    assertThat(graphs.get("tokens_per_s").asDouble()).isCloseTo(plain.get("tokens_per_s").asDouble(), within(1e-9));
    assertThat(width(graphs)).isGreaterThan(width(plain));
    assertThat(graphs.get("assumptions").toString()).contains("the model never saw cuda_graphs");
    assertThat(plain.get("assumptions").toString()).doesNotContain("never saw");
  }

  /**
   * llama.cpp captures graphs only in its CUDA code (compiled as HIP by the ROCm backend): on any other backend, stated
   * or the device's usual one, the flag is refused by predict and recommend alike rather than predicted.
   */
  @Test
  void cudaGraphsAreRefusedOnABackendThatHasNone() {
    Cli.Result apple = Cli.run("predict", "--model", "Llama 3 8B", "--device", "Apple M2 Ultra (76-core GPU)",
        "--quant", "Q4_K_M", "--context", "512", "--cuda-graphs");
    assertThat(apple.exit()).as(apple.toString()).isEqualTo(2);
    assertThat(apple.out()).isEmpty();
    assertThat(apple.err()).contains("--cuda-graphs = true with backend metal (the usual one on Apple devices; no"
        + " --backend given) is invalid: expected the CUDA backend, or ROCm").doesNotContain("--backend cuda");
    Cli.Result vulkan = Cli.run(Cli.with(LLAMA_ON_4090, "--backend", "vulkan"), "--cuda-graphs");
    assertThat(vulkan.exit()).as(vulkan.toString()).isEqualTo(2);
    assertThat(vulkan.err()).contains("--cuda-graphs = true with backend vulkan is invalid", "or give --backend cuda");
    Cli.Result recommend = Cli.run("recommend", "--model", "Llama 3 8B", "--device", "Apple M2 Ultra (76-core GPU)",
        "--cuda-graphs");
    assertThat(recommend.exit()).as(recommend.toString()).isEqualTo(2);
    assertThat(recommend.err()).contains("--cuda-graphs = true with backend metal");
    JsonNode rocm = Cli.json(new String[] {"predict", "--model", "Llama 3 8B", "--device", "AMD Radeon RX 7900 XTX",
        "--quant", "Q4_K_M", "--context", "512", "--format", "json"}, "--cuda-graphs");
    assertThat(rocm.get("scenario").get("cuda_graphs").asBoolean()).isTrue();
  }

  /** PCIe 4.0 x16 carries 32 GB/s per direction: Llama 3 8B Q4_K_M's weights over it bound decode near 7 tokens/s. */
  @Test
  void zeroCopyBoundsTheAnswerByTheHostLinkAndKeepsAnIntervalBelowIt() {
    JsonNode zero = predict("--zero-copy");
    double roof = zero.get("roofline_tokens_per_s").asDouble();
    assertThat(roof).isBetween(5.0, 8.0);
    assertThat(zero.get("tokens_per_s").asDouble()).isLessThanOrEqualTo(roof);
    assertThat(zero.get("interval").get("low").asDouble()).isLessThan(roof);
    assertThat(zero.get("interval").get("high").asDouble()).isLessThanOrEqualTo(roof);
    assertThat(zero.get("assumptions").toString()).contains("the model never saw is_zero_copy");
  }
}
