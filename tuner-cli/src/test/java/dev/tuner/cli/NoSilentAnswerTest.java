package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Inputs that used to be accepted with a wrong answer are refused or stated, end to end through the CLI. */
class NoSilentAnswerTest {
  @TempDir
  Path dir;

  private static void usageError(Cli.Result r, String... inMessage) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains(inMessage).doesNotContain("Exception");
  }

  private static final String[] SERVING = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB",
      "--quant", "FP8", "--engine", "vllm", "--isl", "1000", "--osl", "200"};
  private static final String[] STEP = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB",
      "--quant", "FP8", "--context", "512"};
  private static final String[] SERVING_GRID = {"recommend", "--model", "Llama 3.1 8B", "--device",
      "H100 SXM5 80GB", "--isl", "1000", "--osl", "200"};
  private static final String[] STEP_GRID = {"recommend", "--model", "Llama 3 8B", "--device", "RTX 4090"};

  /** Each option the prediction or recommendation asked for would not read is refused, naming itself. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SERVING|--concurrency 4 --context 4096|--context = 4096 is invalid: expected a step prediction",
      "SERVING|--concurrency 4 --phase prefill|--phase = prefill is invalid: expected a step prediction",
      "SERVING|--concurrency 4 --depth 512|--depth = 512 is invalid: expected a step prediction",
      "SERVING|--batch 4 --prompts 10|--prompts = 10 with --batch 4 is invalid: expected --prompts with --offline",
      "SERVING|--concurrency 4 --cuda-graphs|--cuda-graphs = true is invalid: expected a step prediction",
      "SERVING|--concurrency 4 --explain --format csv|--explain = true with --format csv is invalid",
      "STEP|--explain --format csv|--explain = true with --format csv is invalid",
      "SERVING|--concurrency 4 --top-features 3|--top-features = 3 is invalid: expected a step prediction",
      "STEP|--prompts 10|--prompts = 10 is invalid: expected a serving prediction: --engine, --isl and --osl",
      "STEP|--max-batch 8|--max-batch = 8 is invalid: expected a serving prediction",
      "STEP|--chunked-prefill false|--chunked-prefill = false is invalid: expected a serving prediction",
      "STEP|--trtllm-bench-limits|--trtllm-bench-limits = true is invalid: expected a serving prediction",
      "SERVING_GRID|--context 8192|--context = 8192 is invalid: expected a step recommendation",
      "SERVING_GRID|--batches 1,2|--batches = 1,2 is invalid: expected a step recommendation",
      "SERVING_GRID|--memory-gb 20|--memory-gb = 20.0 is invalid: expected a step recommendation",
      "SERVING_GRID|--tp 2|layout = --devices/--tp/--pp/--ep is invalid: expected a step recommendation",
      "STEP_GRID|--concurrencies 1,2|--concurrencies = 1,2 is invalid: expected a serving recommendation",
      "STEP_GRID|--max-ttft-ms 100|--max-ttft-ms = 100.0 is invalid: expected a serving recommendation",
      "STEP_GRID|--gpu-hour-usd 2|--gpu-hour-usd = 2.0 is invalid: expected a serving recommendation"})
  void anOptionTheModeAskedForWouldNotReadIsRefused(String mode, String more, String message) {
    String[] base = switch (mode) {
      case "SERVING" -> SERVING;
      case "STEP" -> STEP;
      case "SERVING_GRID" -> SERVING_GRID;
      default -> STEP_GRID;
    };
    usageError(Cli.run(base, more.split(" ")), message);
  }

  /** Serving training and evaluation read none of the step model's trainer, split or plot options: each is refused. */
  @Test
  void servingTrainingAndEvaluationRefuseTheStepModelsOptions() throws Exception {
    String rows = Files.writeString(dir.resolve("serving.csv"), "source_id,engine\n").toString();
    usageError(Cli.run("train", "--serving", "--data", rows, "--cv", "model"),
        "--cv = model is invalid: expected a step model's training (no --serving)");
    usageError(Cli.run("train", "--serving", "--data", rows, "--set", "trees=3", "--set", "mtry=2"),
        "--set = trees=3,mtry=2 is invalid");
    usageError(Cli.run("train", "--serving", "--data", rows, "--include-suspect"),
        "--include-suspect = true is invalid");
    usageError(Cli.run("evaluate", "--serving", "--data", rows, "--plot", dir.resolve("p.png").toString()),
        "--plot = " + dir.resolve("p.png") + " is invalid: expected a step model's evaluation (no --serving)");
    assertThat(dir.resolve("p.png")).doesNotExist();
    // and a step model's evaluation reads no serving terms
    Path terms = Files.writeString(dir.resolve("terms.json"), "{}");
    usageError(Cli.run("evaluate", "--data", rows, "--serving-terms", terms.toString()),
        "--serving-terms = " + terms + " is invalid: expected serving rows (--serving)");
  }

  @Test
  void restatingTheCatalogsFp16PeakChangesNothing() {
    String[] h100 = {"predict", "--model", "Llama 3 8B", "--device", "H100", "--quant", "F16", "--context", "512",
        "--batch", "64", "--format", "json"};
    Cli.Result plain = Cli.run(h100);
    Cli.Result restated = Cli.run(h100, "--fp16-tflops", "989.5");
    assertThat(restated.exit()).as(restated.toString()).isZero();
    assertThat(restated.json().get("roofline_tokens_per_s").asDouble())
        .isEqualTo(plain.json().get("roofline_tokens_per_s").asDouble());
    assertThat(restated.json().get("scenario").get("device").get("fp32_tflops").asDouble())
        .isEqualTo(plain.json().get("scenario").get("device").get("fp32_tflops").asDouble());
  }

  /** RFC 4180: a quote belongs around a whole field; Commons CSV alone would read 5" screen as it stands. */
  @Test
  void aQuoteInsideAnUnquotedFieldIsRefusedWithFileLineAndColumn() throws Exception {
    Path data = Files.writeString(dir.resolve("m.csv"), """
        device,model,quant,batch,context,phase,tokens_per_s,notes
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,120,ok
        RTX 4090,Llama 3 8B,Q4_K_M,1,128,decode,121,5" screen
        """);
    usageError(Cli.run("train", "--data", data.toString(), "--out", dir.resolve("model.json").toString()),
        data + ":3 column notes (field 8)", "5\" screen", "quotes only around a whole field, doubled inside it");
    assertThat(dir.resolve("model.json")).doesNotExist();
    Path catalog = Files.writeString(dir.resolve("devices.csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,notes
        My GPU,Acme,500,100,the 12" board
        """);
    usageError(Cli.run("catalog", "devices", "--catalog", catalog.toString()), catalog + ":2 column notes");
  }

  @Test
  void impossibleShapesAreRefusedWithTheirRule() {
    // the catalog's 8 KV heads cannot serve 7 query heads
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--heads", "7", "--hidden", "4096"),
        "KV heads = 8", "at most the attention heads (7)");
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--heads", "7", "--kv-heads", "7",
        "--hidden", "4096"), "heads = 7", "head_dim = hidden / heads must be whole");
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--kv-heads", "5"),
        "KV heads = 5", "a divisor of the 32 attention heads");
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--layers", "1000", "--params-b",
        "0.01"), "layers = 1000", "layers x 2 x hidden^2 <= parameters");
  }

  @Test
  void aSchemaThatCannotTakeEffectIsRefused() throws Exception {
    Path config = Files.writeString(dir.resolve("tuner.yaml"), "schema: reference-v1\n");
    usageError(Cli.run(new String[] {"--config", config.toString()},
        PredictCommandTest.LLAMA_ON_4090), "tuner.schema = reference-v1", "the schema of the model in use");
  }

  @Test
  void aKeySetTwiceIsRefused() throws Exception {
    Path yaml = Files.writeString(dir.resolve("twice.yaml"), "interval:\n  level: 0.8\ninterval.level: 0.9\n");
    usageError(Cli.run(new String[] {"--config", yaml.toString()},
        PredictCommandTest.LLAMA_ON_4090), "interval.level", "each key once");
    Path same = Files.writeString(dir.resolve("same.yaml"), "schema: tuner-v1\nschema: tuner-v1\n");
    usageError(Cli.run(new String[] {"--config", same.toString()},
        PredictCommandTest.LLAMA_ON_4090), "schema");
    Path props = Files.writeString(dir.resolve("twice.properties"), "tuner.interval.level=0.8\n"
        + "interval.level=0.9\n");
    usageError(Cli.run(new String[] {"--config", props.toString()},
        PredictCommandTest.LLAMA_ON_4090), "interval.level", "each key once");
    usageError(Cli.run("train", "--data", "x.csv", "--set", "trees=10", "--set", "trees=20"),
        "--set = trees=20", "trees=10 was set already");
  }

  @Test
  void anEmptyValueIsAnErrorNotTheDefault() throws Exception {
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--phase", ""), "phase");
    usageError(Cli.run(PredictCommandTest.LLAMA_ON_4090, "--kv-cache-type", ""), "kv-cache type");
    usageError(Cli.run(RecommendCommandTest.LLAMA_ON_4090, "--quants", ","),
        "--quants", "none of them empty");
    usageError(Cli.run(RecommendCommandTest.LLAMA_ON_4090, "--kv-cache-types", "f16,,q8_0"),
        "--kv-cache-types");
    Path yaml = Files.writeString(dir.resolve("empty.yaml"), "schema: \"\"\n");
    usageError(Cli.run(new String[] {"--config", yaml.toString()},
        PredictCommandTest.LLAMA_ON_4090), "tuner.schema", "leave the key out for the default");
  }

  @Test
  void recommendWarnsWhenNoComputeRoofBoundsTheRanking() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 8B", "--mem-bw-gbs", "1000", "--memory-gb", "80",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("notes").toString()).contains("no compute roof applies")
        .contains("(state the peak for a trustworthy ranking: DeviceSpec's fp16Tflops, --fp16-tflops in the CLI)");
    assertThat(r.err()).contains("warning: no compute roof applies");
    Cli.Result table = Cli.run("recommend", "--model", "Llama 3 8B", "--mem-bw-gbs", "1000", "--memory-gb", "80");
    assertThat(table.out()).contains("note: no compute roof applies");
    Cli.Result bounded = Cli.run(RecommendCommandTest.LLAMA_ON_4090);
    assertThat(bounded.out() + bounded.err()).doesNotContain("no compute roof");
  }
}
