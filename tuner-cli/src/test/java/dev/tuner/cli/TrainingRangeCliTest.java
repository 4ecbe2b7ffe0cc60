package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A step beyond the largest value the model's training rows reach along an axis a user sweeps says so, and what it
 * says holds: beyond the largest trained batch, aggregate decode tokens/s stays at that batch's.
 */
class TrainingRangeCliTest {
  private static final Pattern EDGE = Pattern.compile(
      "a batch of 256 is beyond the largest among the model's training rows \\((\\d+)\\)");
  private static final String[] QWEN = {"predict", "--model", "Qwen2.5 0.5B", "--device", "RTX 4090", "--quant",
      "Q8_0", "--context", "512", "--format", "json"};

  private static JsonNode json(String... more) {
    return Cli.json(QWEN, more);
  }

  @Test
  void aDecodeBatchBeyondTheTrainingRowsIsSaidAndHeldAtTheirLargest() {
    JsonNode beyond = json("--batch", "256");
    Matcher m = EDGE.matcher(beyond.get("assumptions").toString());
    assertThat(m.find()).as(beyond.get("assumptions").toString()).isTrue();
    int edge = Integer.parseInt(m.group(1));
    assertThat(edge).isBetween(2, 255);
    assertThat(beyond.get("assumptions").toString()).contains("here not at all");
    JsonNode atEdge = json("--batch", Integer.toString(edge));
    assertThat(atEdge.get("assumptions").toString()).doesNotContain("beyond the largest");
    assertThat(beyond.get("tokens_per_s").asDouble()).isCloseTo(atEdge.get("tokens_per_s").asDouble(),
        within(1e-9 * atEdge.get("tokens_per_s").asDouble()));
    // the roofline alone still grows with the batch
    assertThat(beyond.get("roofline_tokens_per_s").asDouble())
        .isGreaterThan(atEdge.get("roofline_tokens_per_s").asDouble());
  }

  @Test
  void aPromptBatchBeyondThemIsSaidWithoutTheDecodeClause() {
    String said = json("--batch", "256", "--phase", "prefill").get("assumptions").toString();
    assertThat(said).contains("a batch of 256 is beyond the largest among the model's training rows")
        .doesNotContain("here not at all");
  }

  @Test
  void aDeviceFasterThanEveryTrainingDeviceIsSaid() {
    // MI355X: 8 TB/s, more than any training device's HBM
    Cli.Result r = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "AMD Instinct MI355X", "--quant", "FP8",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("assumptions").toString())
        .contains("8000 GB/s of memory bandwidth is beyond the largest among the model's training rows");
  }
}
