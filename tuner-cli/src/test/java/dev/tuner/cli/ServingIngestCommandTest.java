package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tuner ingest --serving} end to end: every serving sample of ../shared/data/formats into a CSV, which
 * {@code tuner evaluate --serving} then reads (each row used or skipped with a reason).
 */
class ServingIngestCommandTest {
  @TempDir
  Path dir;

  private static Path sample(String name) {
    try {
      return Path.of(ServingIngestCommandTest.class.getResource("/formats/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sample, the format it is recognised as, the rows it gives and the options stating what it does not. */
  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("vllm-serve-sample1.jsonl", "vllm-serve", 9, List.of("--quant", "BF16")),
        Arguments.of("vllm-serve-console-from-sample1.txt", "vllm-serve-console", 1, List.of("--engine", "vllm",
            "--device", "L40S", "--devices", "4", "--tp", "1", "--model", "Llama 3.2 3B", "--quant", "BF16")),
        Arguments.of("sglang-bench-serving-issue6681.txt", "sglang-serving", 1, List.of("--device", "H20", "--tp",
            "2", "--model", "Qwen/Qwen2.5-32B-Instruct", "--quant", "BF16", "--engine-version", "0.4.3.post4")),
        Arguments.of("vllm-throughput-console-pr8914.txt", "vllm-throughput", 2, List.of("--device",
            "H100 SXM5 80GB", "--model", "Llama 3.1 8B", "--quant", "BF16", "--isl", "128")),
        Arguments.of("sglang-bench-one-batch-pr30147.txt", "sglang-one-batch", 1, List.of("--device",
            "Apple M1 Max (32-core GPU)", "--model", "Qwen3 0.6B", "--quant", "BF16")),
        Arguments.of("trtllm-bench-issue6294.txt", "trtllm-bench", 1, List.of("--device", "H100 SXM5 80GB",
            "--model", "Llama 3.1 8B", "--quant", "FP8")),
        Arguments.of("trtllm-bench-pr7104.txt", "trtllm-bench", 1, List.of("--device", "B200")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void eachSampleBecomesServingRowsThatEvaluateReads(String name, String format, int rows, List<String> options)
      throws IOException {
    Path csv = dir.resolve("serving.csv");
    List<String> args = new java.util.ArrayList<>(List.of("ingest", "--serving", sample(name).toString()));
    args.addAll(options);
    args.addAll(List.of("--out", csv.toString()));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("format " + format + " recognised from the content",
        "ingest --serving " + format + ": ", rows + " accepted", "wrote " + rows + " serving row");
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo(Files.readAllLines(Path.of(repo(), "data", "serving.csv")).get(0));
    assertThat(lines).hasSize(rows + 1);

    Cli.Result e = Cli.run("evaluate", "--serving", "--data", csv.toString(), "--format", "json");
    assertThat(e.exit()).as(e.toString()).isZero();
    JsonNode j = e.json();
    assertThat(j.get("rows").asInt()).isEqualTo(rows);
    assertThat(j.get("used").asInt() + j.get("skipped").asInt()).isEqualTo(rows);
    assertThat(j.get("used").asInt()).as(e.out()).isPositive();
  }

  @Test
  void whatTheOutputDoesNotStateIsARejectionNamingTheOption() {
    Cli.Result r = Cli.run("ingest", "--serving", sample("trtllm-bench-pr7104.txt").toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("1 record in 1 file: 0 accepted, 1 rejected", "rejected by reason:",
        "no device named; pass --device: the output does not state it: pass --device", "nothing accepted");
  }

  @Test
  void rowsGoToStdoutAndTheFormatCanBeNamed() {
    Cli.Result r = Cli.run("ingest", "--serving", "--format", "trtllm-bench", sample("trtllm-bench-pr7104.txt")
        .toString(), "--device", "B200");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("source_id,engine,engine_version,device,num_devices,tp,pp,ep,model,")
        .contains("ingest:trtllm-bench-pr7104.txt,TensorRT-LLM,1.1.0rc1,B200,4,4,1,4,DeepSeek-R1,NVFP4,FP8,");
    assertThat(r.err()).doesNotContain("recognised from the content");
    // attention groups no output states are given as an option and written where the serving evaluation reads them
    Cli.Result groups = Cli.run("ingest", "--serving", "--format", "trtllm-bench", sample("trtllm-bench-pr7104.txt")
        .toString(), "--device", "B200", "--attention-dp", "4");
    assertThat(groups.exit()).as(groups.toString()).isZero();
    assertThat(groups.out()).contains("attention_dp=4");
    Cli.Result step = Cli.run("ingest", sample("trtllm-bench-pr7104.txt").toString(), "--attention-dp", "4");
    assertThat(step.exit()).isNotZero();
    assertThat(step.err()).contains("--attention-dp needs --serving");
  }

  @Test
  void outputFilesAreCheckedAsEveryCommandChecksThem() throws IOException {
    String in = sample("trtllm-bench-pr7104.txt").toString();
    Path csv = Files.writeString(dir.resolve("kept.csv"), "keep me\n");
    Cli.Result exists = Cli.run("ingest", "--serving", in, "--device", "B200", "--out", csv.toString());
    // as every command refuses an existing output: exit 1, the same words
    assertThat(exists.exit()).isEqualTo(1);
    assertThat(exists.err()).contains("refusing to overwrite existing file", "(to replace it: overwrite true, --force in the CLI)");
    assertThat(Files.readString(csv)).isEqualTo("keep me\n");
    Cli.Result forced = Cli.run("ingest", "--serving", in, "--device", "B200", "--out", csv.toString(), "--force");
    assertThat(forced.exit()).as(forced.toString()).isZero();
    assertThat(Files.readString(csv)).startsWith("source_id,");
    Path copy = Files.copy(Path.of(in), dir.resolve("report.txt"));
    Cli.Result clash = Cli.run("ingest", "--serving", copy.toString(), "--device", "B200", "--out", copy.toString(),
        "--force");
    assertThat(clash.exit()).isEqualTo(2);
    assertThat(Files.readString(copy)).isEqualTo(Files.readString(Path.of(in)));
    Cli.Result directory = Cli.run("ingest", "--serving", in, "--device", "B200", "--out", dir.toString(), "--force");
    assertThat(directory.exit()).isEqualTo(2);
    Cli.Result append = Cli.run("ingest", "--serving", in, "--out", csv.toString(), "--append");
    assertThat(append.exit()).isEqualTo(2);
    assertThat(append.err()).contains("--append does not apply to --serving");
    Cli.Result notServing = Cli.run("ingest", in, "--tp", "2");
    assertThat(notServing.exit()).isEqualTo(2);
    assertThat(notServing.err()).contains("--tp needs --serving");
    Cli.Result badFormat = Cli.run("ingest", "--serving", "--format", "llama-bench", in);
    assertThat(badFormat.exit()).isEqualTo(2);
    assertThat(badFormat.err()).contains("vllm-serve, vllm-serve-console, vllm-throughput");
  }

  private static String repo() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("data").resolve("serving.csv"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new UncheckedIOException(new IOException("no data/serving.csv above " + Path.of("").toAbsolutePath()));
    }
    return p.toString();
  }
}
