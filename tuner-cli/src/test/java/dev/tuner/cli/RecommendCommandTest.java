package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecommendCommandTest {
  static final String[] LLAMA_ON_4090 = {"recommend", "--model", "Llama 3 8B", "--device", "RTX 4090"};

  @Test
  void tablePrintsTopConfigurationsParetoFrontAndDropped() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--top", "3");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Recommendation (decode)", "Llama 3 8B", "RTX 4090", "24 GiB (device)",
        "4096 tokens per sequence", "5 quantizations × 2 KV-cache types × 9 batch sizes = 90 configurations",
        "Top 3 of", "Pareto front", "Dropped", "memory", "needs");
  }

  /** A recommendation's context is at least one token, and both ends of the range say so. */
  @Test
  void aContextOutOfRangeStatesTheRangeOfARecommendation() {
    for (String context : new String[] {"0", "2000000"}) {
      Cli.Result r = Cli.run(LLAMA_ON_4090, "--context", context);
      assertThat(r.exit()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).contains("context = " + context + " is invalid: expected an integer in [1, 1048576] tokens");
    }
  }

  /**
   * A mixture of experts' default grid adds llama.cpp's MXFP4_MOE (its experts in MXFP4, the rest in Q8_0, how the
   * published gpt-oss GGUFs ship); a dense model's does not, and --quants replaces the grid for either.
   */
  @Test
  void aMixturesDefaultGridHasMxfp4Moe() {
    Cli.Result moe = Cli.run("recommend", "--model", "gpt-oss-120b", "--device", "DGX Spark", "--format", "json");
    assertThat(moe.exit()).as(moe.toString()).isZero();
    assertThat(moe.json().get("grid").get("quants").toString())
        .isEqualTo("[\"MXFP4_MOE\",\"Q4_K_M\",\"Q5_K_M\",\"Q6_K\",\"Q8_0\",\"F16\"]");
    assertThat(moe.json().get("top").findValuesAsText("quant")).contains("MXFP4_MOE");
    Cli.Result dense = Cli.run(LLAMA_ON_4090, "--format", "json");
    assertThat(dense.json().get("grid").get("quants").toString()).doesNotContain("MXFP4_MOE");
    Cli.Result chosen = Cli.run("recommend", "--model", "gpt-oss-120b", "--device", "DGX Spark", "--quants",
        "Q4_K_M", "--format", "json");
    assertThat(chosen.json().get("grid").get("quants").toString()).isEqualTo("[\"Q4_K_M\"]");
  }

  @Test
  void jsonRespectsMemoryAndTheLatencyBudget() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--memory-gb", "20", "--max-ms-per-token", "40",
        "--quants", "Q4_K_M,Q8_0,F16", "--batches", "1,4,16,64", "--kv-cache-types", "f16,q8_0", "--context", "2048",
        "--top", "5", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("memory").get("capacity_gib").asDouble()).isEqualTo(20);
    assertThat(j.get("memory").get("source").asText()).isEqualTo("override");
    assertThat(j.get("max_ms_per_token").asDouble()).isEqualTo(40);
    assertThat(j.get("evaluated").asInt()).isEqualTo(3 * 4 * 2);
    assertThat(j.get("top").size()).isBetween(1, 5);
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode c : j.get("top")) {
      assertThat(c.get("memory_gib").get("total").asDouble()).isLessThanOrEqualTo(20);
      assertThat(c.get("ms_per_token").asDouble()).isLessThanOrEqualTo(40);
      assertThat(c.get("tokens_per_s").asDouble()).isLessThanOrEqualTo(c.get("roofline_tokens_per_s").asDouble())
          .isLessThanOrEqualTo(previous);
      previous = c.get("tokens_per_s").asDouble();
      // each shown configuration carries its prediction's interval, around its tokens/s and under its roof
      JsonNode interval = c.get("interval");
      assertThat(interval.get("level").asDouble()).isEqualTo(0.9);
      assertThat(interval.get("low").asDouble()).isLessThanOrEqualTo(c.get("tokens_per_s").asDouble());
      assertThat(interval.get("high").asDouble()).isGreaterThanOrEqualTo(c.get("tokens_per_s").asDouble())
          .isLessThanOrEqualTo(c.get("roofline_tokens_per_s").asDouble());
    }
    double latency = 0;
    for (JsonNode c : j.get("pareto")) {
      assertThat(c.get("interval").get("low").asDouble()).isLessThanOrEqualTo(c.get("tokens_per_s").asDouble());
      assertThat(c.get("ms_per_token").asDouble()).isGreaterThan(latency);
      latency = c.get("ms_per_token").asDouble();
    }
    assertThat(j.get("dropped")).allSatisfy(d -> assertThat(d.get("reason").asText()).isIn("memory", "latency"));
    assertThat(j.get("why_empty").isNull()).isTrue();
  }

  /**
   * Beyond batch 32, the shipped rows' largest, the learned gain is held, so batch 64 of a configuration predicts what
   * its batch 32 does: it is dropped as gaining nothing, not ranked beside it, and the top holds no two batches of one
   * quantization and KV cache at the same tokens/s.
   */
  @Test
  void aBatchThatGainsNothingOverASmallerOneIsDroppedNotRanked() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--quants", "Q4_K_M", "--kv-cache-types", "q8_0", "--batches", "1,32,64",
        "--context", "2048", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("top")).extracting(c -> c.get("batch").asInt()).containsExactly(32, 1);
    assertThat(j.get("dropped")).singleElement().satisfies(d -> {
      assertThat(d.get("reason").asText()).isEqualTo("no_gain");
      assertThat(d.get("batch").asInt()).isEqualTo(64);
      assertThat(d.get("detail").asText()).contains("no more than batch 32 of the same configuration");
    });
    Cli.Result text = Cli.run(LLAMA_ON_4090, "--quants", "Q4_K_M", "--kv-cache-types", "q8_0", "--batches",
        "1,32,64", "--context", "2048");
    assertThat(text.out()).contains("no_gain").contains("Q4_K_M q8_0 batch 64:");
  }

  @Test
  void anEmptyRecommendationIsExplained() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--memory-gb", "2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("No configuration of Llama 3 8B fits in 2 GiB");
  }

  @Test
  void unknownMemoryIsReportedNotAssumed() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 8B", "--mem-bw-gbs", "500", "--fp16-tflops", "50",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("memory").get("checked").asBoolean()).isFalse();
    assertThat(r.json().get("notes").toString()).contains("memory capacity of custom device is unknown");
  }

  @Test
  void badGridValuesAreUsageErrors() {
    Cli.Result zero = Cli.run(LLAMA_ON_4090, "--batches", "1,0");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("batch = 0 is invalid");
    Cli.Result quant = Cli.run(LLAMA_ON_4090, "--quants", "Q4_K_M,Q9");
    assertThat(quant.exit()).isEqualTo(2);
    assertThat(quant.err()).contains("quantization = \"Q9\" is invalid", "closest:");
  }

  @Test
  void plotsTheRooflineChartAndRefusesToOverwriteIt(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("roofline.png");
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--plot", png.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("wrote " + png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1100);
    assertThat(image.getHeight()).isEqualTo(700);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(20);
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").containsExactly(png);
    }

    // a chart is a PNG and its name says so: anything else is refused before any work, and nothing is written
    Path text = dir.resolve("roofline.txt");
    Cli.Result named = Cli.run(LLAMA_ON_4090, "--plot", text.toString());
    assertThat(named.exit()).isEqualTo(2);
    assertThat(named.err()).contains("--plot = " + text, "a file name ending in .png");
    assertThat(Files.exists(text)).isFalse();

    long size = Files.size(png);
    Cli.Result again = Cli.run(LLAMA_ON_4090, "--plot", png.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).isEmpty();
    assertThat(again.err()).contains("refusing to overwrite existing file", "--force");
    assertThat(Files.size(png)).isEqualTo(size);

    Cli.Result forced = Cli.run(LLAMA_ON_4090, "--plot", png.toString(), "--force",
        "--max-ms-per-token", "30");
    assertThat(forced.exit()).as(forced.toString()).isZero();
    assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1100);
  }
}
