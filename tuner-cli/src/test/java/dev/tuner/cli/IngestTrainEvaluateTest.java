package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion issue's end-to-end path: every real benchmark sample shipped in the test resources is ingested
 * into one measurements CSV (appending, with the flags each format needs), then that file trains a model, which is
 * then evaluated on it. Samples that cannot yield a single-device measurement are rejected with their reason.
 */
class IngestTrainEvaluateTest {
  static final Path FORMATS = Path.of("..", "tuner-ingest", "src", "test", "resources", "formats");

  @TempDir
  Path dir;

  @Test
  void everySampleIsIngestedThenTrainedOnAndEvaluated() throws Exception {
    Path csv = dir.resolve("ingested.csv");
    ingest(0, "llama-bench", List.of("llama-bench-sample1-2023-b1275.json", "llama-bench-sample1-2023-b1275.csv",
        "llama-bench-sample2-2025-b5163.json", "llama-bench-sample2-2025-b5163.jsonl",
        "llama-bench-sample2-2025-b5163.csv", "llama-bench-md-2025-pr13324-rtx2070-vulkan.md"), csv);
    ingest(0, "llama-bench", List.of("llama-bench-md-2023-pr2626.md"), csv, "--device", "RTX 4090",
        "--source-id", "pr2626");
    ingest(0, "llama-bench", List.of("llama-bench-md-2024-pr2059-rx6800xt.md"), csv, "--device",
        "AMD Radeon RX 6800 XT");
    ingest(0, "ollama", List.of("ollama-verbose-issue1806.txt"), csv, "--device", "RTX 4090", "--model",
        "Mistral 7B v0.3", "--quant", "Q4_0");
    // four L40S replicas are a layout now, but vLLM records no weight format
    Cli.Result vllm = ingest(1, "vllm-serve", List.of("vllm-serve-sample1.jsonl"), csv);
    assertThat(vllm.err()).contains("no quantization named; pass --quant");
    Cli.Result ollama = ingest(1, "ollama", List.of("ollama-verbose-pr2163.txt"), csv, "--device", "RTX 4090",
        "--model", "Mistral 7B v0.3", "--quant", "Q4_0");
    assertThat(ollama.err()).contains("offload");

    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.size() - 1).as("ingested rows").isGreaterThanOrEqualTo(12);

    Path model = dir.resolve("model.json");
    Cli.Result train = Cli.run("train", "--data", csv.toString(), "--model-type", "forest", "--set", "trees=20",
        "--cv", "3", "--no-progress", "--format", "json", "--out", model.toString());
    assertThat(train.exit()).as(train.toString()).isZero();
    assertThat(train.json().path("used").asInt()).isGreaterThanOrEqualTo(10);

    Cli.Result eval = Cli.run("evaluate", "--data", csv.toString(), "--model-file", model.toString(), "--format",
        "json");
    assertThat(eval.exit()).as(eval.toString()).isZero();
    assertThat(eval.json().path("used").asInt()).isEqualTo(train.json().path("used").asInt());
  }

  private Cli.Result ingest(int expectedExit, String format, List<String> files, Path out, String... flags) {
    List<String> args = new java.util.ArrayList<>(List.of("ingest", "--format", format));
    files.forEach(f -> args.add(FORMATS.resolve(f).toString()));
    args.addAll(List.of(flags));
    args.addAll(List.of("--out", out.toString()));
    if (Files.exists(out)) {
      args.add("--append");
    }
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isEqualTo(expectedExit);
    return r;
  }
}
