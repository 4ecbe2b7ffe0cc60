package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's example outputs are what the CLI prints with the shipped model and catalog: each quoted line of an
 * example appears in the command's output exactly, so a retrained model or a changed catalog cannot leave them stale.
 */
class ReadmeExamplesTest {
  private static String readme() throws Exception {
    return Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
  }

  /** Lines of {@code out} that start with one of {@code labels} (two spaces, the label, then a space). */
  private static List<String> lines(String out, List<String> labels) {
    return out.lines().filter(l -> labels.stream().anyMatch(label -> l.startsWith("  " + label + " "))).toList();
  }

  @Test
  void theShowcasePredictionIsWhatPredictPrints() throws Exception {
    Cli.Result r = Cli.run("predict", "--model", "Qwen3 4B", "--device", "RTX 2070", "--quant", "Q4_K_M",
        "--context", "128");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> quoted = lines(r.out().substring(r.out().indexOf("Prediction")),
        List.of("tokens/s", "interval", "roofline", "capped", "confidence", "model"));
    assertThat(quoted).hasSize(6);
    String readme = readme();
    assertThat(quoted).allSatisfy(l -> assertThat(readme).contains(l));
  }

  @Test
  void theMixtureOfExpertsExampleIsWhatPredictPrints() throws Exception {
    Cli.Result r = Cli.run("predict", "--model", "Qwen3-30B-A3B", "--device",
        "AMD Ryzen AI Max+ 395 (Radeon 8060S, Strix Halo)", "--quant", "UD-Q4_K_XL", "--context", "128", "--explain");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> quoted = lines(r.out(), List.of("tokens/s", "interval", "roofline", "weights", "experts"));
    assertThat(quoted).hasSizeGreaterThanOrEqualTo(5);
    String readme = readme();
    assertThat(quoted).allSatisfy(l -> assertThat(readme).contains(l));
  }

  @Test
  void theLayoutSearchExampleIsWhatRecommendPrints() throws Exception {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 70B", "--device", "H100", "--quants", "F16",
        "--kv-cache-types", "f16", "--batches", "1,16", "--max-devices", "4", "--top", "3");
    assertThat(r.exit()).as(r.toString()).isZero();
    String top = r.out().substring(r.out().indexOf("Top 3 of"));
    List<String> ranked = top.lines().skip(2).limit(3).toList();
    assertThat(ranked).hasSize(3).allSatisfy(l -> assertThat(l).contains("tp"));
    String readme = readme();
    assertThat(ranked).allSatisfy(l -> assertThat(readme).contains(l));
  }

  @Test
  void theServingExampleQuotesWhatPredictPrints() throws Exception {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8",
        "--kv-cache-type", "fp8", "--engine", "tensorrt-llm", "--isl", "128", "--osl", "128", "--offline",
        "--prompts", "30000", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    var j = r.json();
    var interval = j.get("intervals").get("output_tokens_per_s");
    String quoted = "predicts " + grouped(j.get("output_tokens_per_s").asDouble()) + " output tokens/s (90%: "
        + grouped(interval.get("low").asDouble()) + " to " + grouped(interval.get("high").asDouble()) + ")";
    assertThat(readme()).contains(quoted);
  }

  /**
   * The README's serving recommendation's first row, and what predict gives for it with and without its KV-cache
   * type: the row reproduces only with it.
   */
  @Test
  void theServingRecommendationRowIsWhatPredictGivesWithItsKvCache() throws Exception {
    var top = Cli.json(new String[] {"recommend", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB", "--isl",
        "1000", "--osl", "200", "--max-ttft-ms", "500", "--max-tpot-ms", "30", "--gpu-hour-usd", "2.5", "--top", "1",
        "--format", "json"}).get("top").get(0);
    String[] predict = {"predict", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB", "--isl", "1000", "--osl",
        "200", "--engine", "tensorrt-llm", "--quant", "FP8", "--devices", "4", "--tp", "4", "--concurrency", "32",
        "--format", "json"};
    assertThat(List.of(top.get("engine").asText(), top.get("quant").asText(), top.get("kv_cache_type").asText(),
        top.get("gpus").asInt(), top.get("tp").asInt(), top.get("concurrency").asInt()))
        .containsExactly("tensorrt-llm", "FP8", "fp8", 4, 4, 32);
    double withKv = Cli.json(predict, "--kv-cache-type", "fp8").get("output_tokens_per_s_per_gpu").asDouble();
    double f16 = Cli.json(predict).get("output_tokens_per_s_per_gpu").asDouble();
    assertThat(withKv).isEqualTo(top.get("output_tokens_per_s_per_gpu").asDouble());
    assertThat(readme().replaceAll("\\s+", " ")).contains("32 clients, " + Text.num(withKv)
        + " output tokens/s per GPU", "takes an f16 cache: " + Text.num(f16) + ")");
  }

  /** The batched decode the README quotes (Llama 3 8B Q4_K_M on an RTX 4090 at batch 1, 8 and 32) is today's. */
  @Test
  void theBatchedDecodeFiguresAreWhatPredictPrints() throws Exception {
    double[] tps = new double[3];
    String interval32 = "";
    int[] batches = {1, 8, 32};
    for (int i = 0; i < batches.length; i++) {
      Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M",
          "--batch", Integer.toString(batches[i]), "--format", "json");
      assertThat(r.exit()).as(r.toString()).isZero();
      tps[i] = r.json().get("tokens_per_s").asDouble();
      var in = r.json().get("interval");
      interval32 = Text.num(in.get("low").asDouble()) + "–" + Text.num(in.get("high").asDouble());
    }
    String readme = readme().replaceAll("\\s+", " ");
    assertThat(readme).contains("RTX 4090: " + Text.num(tps[0]) + ", " + Text.num(tps[1]) + " and " + Text.num(tps[2])
        + " tokens/s at batch 1, 8 and 32").contains("Its interval (" + interval32 + " tokens/s for that batch of 32");
  }

  /** The README's counts of the shipped catalog are the catalog's. */
  @Test
  void theCatalogCountsAreTheCatalogs() throws Exception {
    var catalog = dev.tuner.core.catalog.Catalog.shipped();
    long architectures = catalog.models().entries().stream().map(m -> m.architecture()).distinct().count();
    assertThat(readme().replaceAll("\\s+", " ")).contains(catalog.devices().entries().size() + " accelerators, "
        + catalog.models().entries().size() + " LLMs of " + architectures + " architectures and "
        + catalog.quants().entries().size() + " quantizations");
  }

  /** A whole number with a space between thousands, as the README writes figures: 29 532. */
  private static String grouped(double v) {
    String digits = Long.toString(Math.round(v));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && (digits.length() - i) % 3 == 0) {
        b.append(' ');
      }
      b.append(digits.charAt(i));
    }
    return b.toString();
  }
}
