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
