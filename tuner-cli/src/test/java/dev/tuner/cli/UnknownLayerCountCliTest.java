package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A model given by its parameter count alone has no layer count, so the default model's step overhead, per layer, is
 * left out of its decode reference: the prediction says so (it leans high, near the roof) rather than printing an
 * overhead "over 0 layers".
 */
class UnknownLayerCountCliTest {
  private static final String[] PREDICT = {"predict", "--params-b", "7", "--mem-bw-gbs", "800", "--quant", "Q4_0",
      "--context", "1024"};

  @Test
  void theOverheadLeftOutIsAnAssumption() {
    JsonNode j = Cli.json(PREDICT, "--format", "json");
    assertThat(j.get("assumptions").toString()).contains("layer count of custom 7.00B model unknown: the model's step"
        + " overhead of 150.0 µs per layer and step is not counted, so the prediction leans high");
    JsonNode known = Cli.json(PREDICT, "--layers", "32", "--heads", "32", "--kv-heads", "8", "--hidden", "4096",
        "--format", "json");
    assertThat(known.get("assumptions").toString()).doesNotContain("layer count");
    assertThat(known.get("tokens_per_s").asDouble()).isLessThan(j.get("tokens_per_s").asDouble());
  }

  @Test
  void explainSaysTheOverheadIsLeftOut() {
    Cli.Result r = Cli.run(PREDICT, "--explain");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("without its step overhead of 150.0 µs per layer and step (layer count unknown)")
        .doesNotContain("over 0 layers");
  }
}
