package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.MeasurementCsv;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IngestCommandTest {
  /** llama-bench-sample2-2025-b5163.jsonl from ../shared/data/formats, verbatim. */
  private static final String JSONL = """
      {"build_commit": "8cf427ff", "build_number": 5163, "cpu_info": "AMD Ryzen 7 7800X3D 8-Core Processor", "gpu_info": "NVIDIA GeForce RTX 4080", "backends": "CUDA", "model_filename": "models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "model_type": "qwen2 7B Q4_K - Medium", "model_size": 4677120000, "model_n_params": 7615616512, "n_batch": 2048, "n_ubatch": 512, "n_threads": 8, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": 99, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": false, "tensor_split": "0.00", "use_mmap": true, "embeddings": false, "n_prompt": 512, "n_gen": 0, "n_depth": 0, "test_time": "2025-04-24T11:59:33Z", "avg_ns": 70497220, "stddev_ns": 883196, "avg_ts": 7263.609157, "stddev_ts": 90.940578, "samples_ns": [ 71551000, 71222800, 70364100, 69439100, 69909100 ],"samples_ts": [ 7155.74, 7188.71, 7276.44, 7373.37, 7323.8 ]}
      {"build_commit": "8cf427ff", "build_number": 5163, "cpu_info": "AMD Ryzen 7 7800X3D 8-Core Processor", "gpu_info": "NVIDIA GeForce RTX 4080", "backends": "CUDA", "model_filename": "models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", "model_type": "qwen2 7B Q4_K - Medium", "model_size": 4677120000, "model_n_params": 7615616512, "n_batch": 2048, "n_ubatch": 512, "n_threads": 8, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": 99, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": false, "tensor_split": "0.00", "use_mmap": true, "embeddings": false, "n_prompt": 0, "n_gen": 128, "n_depth": 0, "test_time": "2025-04-24T11:59:33Z", "avg_ns": 1068078400, "stddev_ns": 6279455, "avg_ts": 119.844681, "stddev_ts": 0.699739, "samples_ns": [ 1066331700, 1064864900, 1079042600, 1063328400, 1066824400 ],"samples_ts": [ 120.038, 120.203, 118.624, 120.377, 119.982 ]}
      """;
  /** The first table of llama-bench-md-2023-pr2626.md: it names no GPU. */
  private static final String MARKDOWN = """
      | model                          | backend    | n_gpu_layers | test       |             t/s |
      | ------------------------------ | ---------- | -----------: | ---------- | --------------: |
      | LLaMA 7B mostly Q4_0           | CUDA       |           99 | pp 512     | 2242.06 ± 24.26 |
      | LLaMA 7B mostly Q4_0           | CUDA       |           99 | tg 128     |    43.09 ± 0.41 |
      """;

  @TempDir
  Path dir;

  private Path jsonl;
  private Path markdown;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void files() throws IOException {
    jsonl = Files.writeString(dir.resolve("bench.jsonl"), JSONL);
    markdown = Files.writeString(dir.resolve("bench.md"), MARKDOWN);
  }

  private static Catalog catalog() {
    return new Catalog(
        List.of(
            new DeviceSpec("RTX 4080", "NVIDIA", 716.8, OptionalDouble.of(194.9), OptionalDouble.empty(),
                OptionalDouble.of(48.7), 76,
                OptionalDouble.of(64), OptionalDouble.of(16), List.of("NVIDIA GeForce RTX 4080"), "test"),
            // its PCIe 4.0 x16 link (32 GB/s per direction) lets two of them hold one model split over them
            new DeviceSpec("RTX 4090", "NVIDIA", 1008, OptionalDouble.of(330.3), OptionalDouble.empty(),
                OptionalDouble.of(82.6), 128, OptionalDouble.of(72), OptionalDouble.of(24),
                List.of("NVIDIA GeForce RTX 4090"), "test", null, OptionalDouble.empty(), OptionalDouble.empty(),
                "PCIe4 x16", OptionalDouble.of(32))),
        List.of(new ModelSpec("Qwen2.5 7B", 7.62, 3584, 28, 28, 4, 128, 152064, List.of(), "test")),
        List.of(
            new Quantization("Q4_0", 4.5, QuantClass.Q4_0, Activation.FP16, List.of(), "test"),
            new Quantization("Q4_K_M", 4.85, QuantClass.Q4_K, Activation.FP16, List.of("Q4_K - Medium"), "test")));
  }

  private int run(String... args) {
    CommandLine cli = new CommandLine(new IngestCommand(catalog()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void ingestsToAFileThatReadsBack() {
    Path csv = dir.resolve("m.csv");
    int code = run("--format", "llama-bench", jsonl.toString(), "--out", csv.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("2 records in 1 file: 2 accepted, 0 rejected", "wrote 2 rows to " + csv);
    MeasurementCsv.Parsed back = MeasurementCsv.read(csv);
    assertThat(back.rejections()).isEmpty();
    assertThat(back.measurements()).hasSize(2);
    assertThat(back.measurements().get(0).scenario().device()).isEqualTo("RTX 4080");
    assertThat(back.measurements().get(0).scenario().phase()).isEqualTo("prefill");
    assertThat(back.measurements().get(0).tokensPerSecond()).isEqualTo(7263.609157);
    assertThat(back.measurements().get(1).scenario().context()).isEqualTo(128);
    assertThat(back.measurements().get(1).sourceId()).isEqualTo("ingest:bench.jsonl");
  }

  @Test
  void theWrittenCsvHoldsTheEngineSettingsFileSizeAndLayout() throws IOException {
    String twoGpus = JSONL.lines().findFirst().orElseThrow()
        .replace("\"gpu_info\": \"NVIDIA GeForce RTX 4080\"",
            "\"gpu_info\": \"NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090\"")
        .replace("\"split_mode\": \"layer\"", "\"split_mode\": \"row\"")
        .replace("\"flash_attn\": false", "\"flash_attn\": true");
    Path file = Files.writeString(dir.resolve("multi.jsonl"), JSONL + twoGpus + "\n");
    Path csv = dir.resolve("m.csv");
    assertThat(run("--format", "llama-bench", file.toString(), "--out", csv.toString())).as(err.toString()).isZero();
    List<dev.tuner.core.io.Csv.Row> rows = dev.tuner.core.io.Csv.read(new StringReader(Files.readString(csv)), "m.csv");
    List<String> header = rows.get(0).fields();
    assertThat(header).contains("depth", "n_ubatch", "flash_attn", "kv_type", "build", "build_date", "blas",
        "model_size_bytes", "num_devices", "tp", "pp", "ep");
    java.util.function.BiFunction<Integer, String, String> cell = (row, column) ->
        rows.get(row).fields().get(header.indexOf(column));
    // one RTX 4080: depth 0, llama-bench's settings as the file states them, no layout
    assertThat(List.of(cell.apply(1, "depth"), cell.apply(1, "n_ubatch"), cell.apply(1, "flash_attn"),
        cell.apply(1, "kv_type"), cell.apply(1, "build"), cell.apply(1, "build_date"), cell.apply(1, "blas"),
        cell.apply(1, "model_size_bytes"), cell.apply(1, "num_devices"), cell.apply(1, "tp")))
        // test_time 2025-04-24: the run's month dates the build; llama-bench does not say the BLAS library
        .containsExactly("0", "512", "0", "f16", "b5163", "2025-04", "", "4677120000", "", "");
    // two RTX 4090 with split_mode row: tensor parallelism over both
    assertThat(List.of(cell.apply(3, "device"), cell.apply(3, "flash_attn"), cell.apply(3, "num_devices"),
        cell.apply(3, "tp"), cell.apply(3, "pp"), cell.apply(3, "ep")))
        .containsExactly("RTX 4090", "1", "2", "2", "1", "");
  }

  @Test
  void withoutOutTheRowsGoToStdout() {
    int code = run("--format", "llama-bench", "--source-id", "lab-1", jsonl.toString());
    assertThat(code).isZero();
    MeasurementCsv.Parsed back = MeasurementCsv.read(new StringReader(out.toString()), "stdout");
    assertThat(back.measurements()).hasSize(2);
    assertThat(back.measurements().get(0).sourceId()).isEqualTo("lab-1");
  }

  @Test
  void anExistingOutNeedsAppendOrForceAndAppendReportsDuplicates() throws IOException {
    Path csv = dir.resolve("m.csv");
    assertThat(run("--format", "llama-bench", jsonl.toString(), "--out", csv.toString())).isZero();
    byte[] first = Files.readAllBytes(csv);
    assertThat(run("--format", "llama-bench", jsonl.toString(), "--out", csv.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("refusing to overwrite existing file " + csv + " (pass --append to add to it"
        + " or --force to replace it)");
    assertThat(Files.readAllBytes(csv)).isEqualTo(first);

    assertThat(run("--format", "llama-bench", jsonl.toString(), "--out", csv.toString(), "--append")).isZero();
    assertThat(err.toString()).contains("wrote 0 rows", "duplicates not written (2):",
        "bench.jsonl:1 repeats " + csv + ":2");
    assertThat(Files.readAllBytes(csv)).isEqualTo(first);

    assertThat(run("--format", "llama-bench", markdown.toString(), "--device", "RTX 4090", "--out", csv.toString(),
        "--append")).isZero();
    assertThat(MeasurementCsv.read(csv).measurements()).hasSize(4);

    assertThat(run("--format", "llama-bench", markdown.toString(), "--device", "RTX 4090", "--out", csv.toString(),
        "--force")).isZero();
    assertThat(MeasurementCsv.read(csv).measurements()).hasSize(2);
  }

  @Test
  void nothingAcceptedExitsOneAndListsEveryRejection() {
    Path csv = dir.resolve("m.csv");
    int code = run("--format", "llama-bench", markdown.toString(), "--out", csv.toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains(
        "2 rejected", "    2  no device named; pass --device", markdown + ":3: no device named", "no rows written");
    assertThat(Files.exists(csv)).isFalse();
  }

  @Test
  void theHelpsVllmServeExampleRunsOnTheSampleAndADeviceOrModelItContradictsIsRejected() throws Exception {
    Path result = Files.copy(Path.of(IngestCommandTest.class.getResource("/formats/vllm-serve-sample1.jsonl").toURI()),
        dir.resolve("result.json"));
    // an example too long for one line continues on the next after a backslash
    String help = Cli.run("ingest", "--help").out().replaceAll("\\\\\\R\\s*", "");
    String example = help.lines().filter(l -> l.contains("--format vllm-serve")).findFirst().orElseThrow().strip();
    String[] words = example.split(" +");
    String[] args = java.util.Arrays.stream(words, 1, words.length)
        .map(w -> w.equals("result.json") ? result.toString() : w).toArray(String[]::new);
    Cli.Result ok = Cli.run(args);
    assertThat(ok.exit()).as(example + "\n" + ok).isZero();
    assertThat(ok.err()).contains("9 accepted, 0 rejected");

    // the sample states "gpu": "4xNVIDIA_L40S" and "model_id": "meta-llama/Llama-3.2-3B-Instruct"
    Cli.Result device = Cli.run("ingest", "--format", "vllm-serve", result.toString(), "--device", "H100", "--quant",
        "F16");
    assertThat(device.exit()).isEqualTo(1);
    assertThat(device.err()).contains("0 accepted, 9 rejected",
        "result.json:1: figures contradict each other: the output states device L40S but --device is H100 SXM5 80GB",
        "no rows written");
    Cli.Result model = Cli.run("ingest", "--format", "vllm-serve", result.toString(), "--model", "Llama 3.1 8B",
        "--quant", "F16");
    assertThat(model.exit()).isEqualTo(1);
    assertThat(model.err()).contains("the output states model Llama 3.2 3B but --model is Llama 3.1 8B");
  }

  @Test
  void badUsageExitsTwo() {
    assertThat(run("--format", "sglang", jsonl.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("llama-bench, vllm-serve, ollama");
    assertThat(run("--format", "llama-bench", dir.resolve("missing.json").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("ingest: FILE = " + dir.resolve("missing.json"), "(no such file)");
    assertThat(run("--format", "llama-bench", "--device", "RTX 9999", jsonl.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--device", "RTX 9999");
    assertThat(run("--format", "llama-bench", "--append", jsonl.toString())).isEqualTo(2);
    assertThat(run("--format", "llama-bench")).isEqualTo(2);
    // without --format the format is recognised from the content
    assertThat(run(jsonl.toString())).isZero();
    assertThat(err.toString()).contains("format llama-bench recognised from the content");
  }
}
