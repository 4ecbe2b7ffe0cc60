package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.core.io.Csv;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PredictCommandTest {
  static final String[] LLAMA_ON_4090 = {
      "predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "512"};

  @Test
  void tablePrintsTheResolvedScenarioAndThePrediction() {
    Cli.Result r = Cli.run(LLAMA_ON_4090);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("Scenario", "Llama 3 8B", "RTX 4090", "Q4_K_M", "512 tokens", "batch", "1 sequence",
        "phase", "decode", "kv cache", "f16", "cuda graphs", "Prediction", "tokens/s", "roofline", "confidence",
        "interval", "Top features");
    assertThat(r.out()).doesNotContain("Roofline arithmetic");
  }

  /**
   * Data-parallel replicas serve their shares of the batch apart: 4 sequences on 4 RTX 4090s decode at 4 times one
   * sequence on one, and pipeline stages, which run a decode step or a one-chunk prompt one after another, never make
   * it faster.
   */
  @Test
  void replicasAddTheirThroughputAndPipelineStagesDoNot() {
    Cli.Result one = Cli.run(LLAMA_ON_4090, "--format", "json");
    Cli.Result four = Cli.run(LLAMA_ON_4090, "--batch", "4", "--devices", "4", "--format", "json");
    assertThat(four.exit()).as(four.toString()).isZero();
    double single = one.json().get("tokens_per_s").asDouble();
    assertThat(four.json().get("tokens_per_s").asDouble()).isCloseTo(4 * single, within(1e-9 * single));
    assertThat(four.json().get("assumptions").toString()).contains("4 over 4 independent replicas");
    for (String pp : List.of("2", "4")) {
      Cli.Result piped = Cli.run(LLAMA_ON_4090, "--pp", pp, "--format", "json");
      assertThat(piped.exit()).as(piped.toString()).isZero();
      assertThat(piped.json().get("tokens_per_s").asDouble()).as("pp " + pp).isLessThanOrEqualTo(single);
    }
    // a prompt within one n_ubatch chunk has nothing for its stages to overlap
    String[] prompt = {"--phase", "prefill", "--format", "json"};
    double onePrompt = Cli.run(LLAMA_ON_4090, prompt).json().get("tokens_per_s").asDouble();
    for (String pp : List.of("2", "4")) {
      Cli.Result piped = Cli.run(LLAMA_ON_4090, "--pp", pp, "--phase", "prefill", "--format", "json");
      assertThat(piped.exit()).as(piped.toString()).isZero();
      assertThat(piped.json().get("tokens_per_s").asDouble()).as("prefill pp " + pp).isLessThanOrEqualTo(onePrompt);
    }
  }

  /**
   * Replicas that route their tokens over one shared set of experts (ep 4 over four single-card replicas) step
   * together but each still serves its own sequence: Qwen3-30B-A3B with 4 sequences on 4 RTX 4090s decodes within 5%
   * of four independent replicas (it predicted about one card with 4 sequences), and above one replica of 4; the
   * deployment holds the model in F16, which one card does not, so no "does not fit" is claimed.
   */
  @Test
  void replicasThatShareExpertsServeTheirOwnSequences() {
    String[] qwen = {"predict", "--model", "Qwen3 30B A3B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context",
        "512", "--batch", "4", "--format", "json"};
    Cli.Result shared = Cli.run(qwen, "--devices", "4", "--ep", "4");
    Cli.Result apart = Cli.run(qwen, "--devices", "4");
    Cli.Result oneCard = Cli.run(qwen);
    assertThat(shared.exit()).as(shared.toString()).isZero();
    double independent = apart.json().get("tokens_per_s").asDouble();
    assertThat(shared.json().get("tokens_per_s").asDouble()).isCloseTo(independent, within(0.05 * independent))
        .isGreaterThan(1.5 * oneCard.json().get("tokens_per_s").asDouble());
    assertThat(shared.json().get("assumptions").toString()).contains("4 over 4 replicas that share their experts");
    Cli.Result f16 = Cli.run("predict", "--model", "Qwen3 30B A3B", "--device", "RTX 4090", "--quant", "F16",
        "--context", "512", "--batch", "4", "--devices", "4", "--ep", "4", "--format", "json");
    assertThat(f16.exit()).as(f16.toString()).isZero();
    assertThat(f16.json().get("assumptions").toString()).doesNotContain("does not fit");
    assertThat(f16.err()).doesNotContain("does not fit");
  }

  /**
   * gpt-oss-120b in MXFP4_MOE reads its experts at 4.25 bits and the rest at Q8_0's 8.5: the roofline's bytes per token
   * are the split's (WeightBytesTest: 3 591 966 380 bytes), not the file average's 2.8 GB.
   */
  @Test
  void aFormatWithExpertsStoredApartReadsTheRestAtItsOwnBits() {
    Cli.Result table = Cli.run("predict", "--model", "gpt-oss-120b", "--device", "H100 SXM5 80GB", "--quant",
        "MXFP4_MOE", "--context", "0", "--explain");
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("MXFP4_MOE: 4.329 bits/weight (experts 4.25, the rest 8.5)");
    Cli.Result json = Cli.run("predict", "--model", "gpt-oss-120b", "--device", "H100 SXM5 80GB", "--quant",
        "MXFP4_MOE", "--context", "0", "--format", "json");
    assertThat(json.exit()).as(json.toString()).isZero();
    assertThat(json.json().get("scenario").get("quant").get("expert_bits_per_weight").asDouble()).isEqualTo(4.25);
    assertThat(json.json().get("scenario").get("quant").get("other_bits_per_weight").asDouble()).isEqualTo(8.5);
    // H100 SXM5: 3 350 GB/s over 3.592 GB per token = 932.6 tokens/s at the memory roof
    assertThat(json.json().get("roofline_tokens_per_s").asDouble()).isCloseTo(3350e9 / 3_591_966_380.0,
        org.assertj.core.api.Assertions.within(1.0));
  }

  @Test
  void jsonHasTheDocumentedKeysAndStaysUnderTheRoofline() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.fieldNames()).toIterable().containsExactly("tokens_per_s", "roofline_tokens_per_s", "bound",
        "capped", "confidence", "interval", "top_features", "model", "assumptions", "warnings", "scenario",
        "interconnect");
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
    assertThat(j.get("bound").asText()).isIn("memory", "compute");
    assertThat(j.get("capped").isBoolean()).isTrue();
    assertThat(j.get("confidence").asDouble()).isBetween(0.0, 1.0);
    JsonNode interval = j.get("interval");
    assertThat(interval.fieldNames()).toIterable().containsExactly("level", "low", "high");
    assertThat(interval.get("low").asDouble()).isLessThanOrEqualTo(j.get("tokens_per_s").asDouble());
    assertThat(interval.get("high").asDouble()).isGreaterThanOrEqualTo(j.get("tokens_per_s").asDouble());
    assertThat(j.get("top_features").isArray()).isTrue();
    j.get("top_features").forEach(f -> assertThat(f.fieldNames()).toIterable().containsExactly("name", "importance"));
    assertThat(j.get("model").fieldNames()).toIterable()
        .containsExactly("id", "schema", "provider", "output_kind", "fallback");
    assertThat(j.get("assumptions").isArray()).isTrue();
    JsonNode s = j.get("scenario");
    assertThat(s.get("model").get("name").asText()).isEqualTo("Llama 3 8B");
    assertThat(s.get("device").get("name").asText()).isEqualTo("RTX 4090");
    assertThat(s.get("quant").get("name").asText()).isEqualTo("Q4_K_M");
    assertThat(s.get("batch").asInt()).isEqualTo(1);
    assertThat(s.get("context").asInt()).isEqualTo(512);
    assertThat(s.get("phase").asText()).isEqualTo("decode");
    assertThat(s.get("kv_cache_type").asText()).isEqualTo("f16");
    assertThat(s.get("cuda_graphs").asBoolean()).isFalse();
    assertThat(s.get("kernel").isNull()).isTrue();
  }

  @Test
  void csvIsAHeaderAndOneRow() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--format", "csv", "--batch", "4", "--phase", "prefill");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<Csv.Row> rows = Csv.read(new StringReader(r.out()), "stdout");
    assertThat(rows).hasSize(2);
    List<String> header = rows.get(0).fields();
    List<String> row = rows.get(1).fields();
    assertThat(header).startsWith("tokens_per_s", "roofline_tokens_per_s", "bound", "capped", "confidence");
    assertThat(row).hasSameSizeAs(header);
    assertThat(Double.parseDouble(row.get(0))).isLessThanOrEqualTo(Double.parseDouble(row.get(1)));
    assertThat(row.get(header.indexOf("batch"))).isEqualTo("4");
    assertThat(row.get(header.indexOf("phase"))).isEqualTo("prefill");
  }

  /**
   * --explain says what the default model's output is a share of: for decode the serial roof with the KV read factor
   * and step overhead its training chose, for prefill of a quantised model on an NVIDIA part the roofline at the peak
   * capped per SM.
   */
  @Test
  void explainNamesWhatTheModelPredictsAShareOf() {
    Cli.Result decode = Cli.run(LLAMA_ON_4090, "--explain");
    assertThat(decode.exit()).as(decode.toString()).isZero();
    assertThat(decode.out()).contains("model's reference", "what the model predicts a share of: the serial roof",
        "µs per layer and step over 32 layers, shared by 1 sequence(s)",
        "its KV-cache reads taking", "times their time at the bandwidth");
    Cli.Result batched = Cli.run(LLAMA_ON_4090, "--explain", "--batch", "8");
    assertThat(batched.exit()).as(batched.toString()).isZero();
    assertThat(batched.out()).contains("what the model predicts a share of: one sequence's serial roof",
        "shared by 1 sequence(s); the model predicts the gain of a batch of 8 over it");
    Cli.Result prefill = Cli.run("predict", "--model", "Llama 3 8B", "--device", "H100 PCIe", "--quant", "Q4_K_M",
        "--context", "512", "--phase", "prefill", "--explain");
    assertThat(prefill.exit()).as(prefill.toString()).isZero();
    assertThat(prefill.out()).contains("model's reference", "the roofline at the compute peak capped at",
        "× 114 compute units");
  }

  @Test
  void explainShowsTheRooflineArithmetic() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--explain");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Roofline arithmetic", "weights", "KV cache per step", "bytes per step",
        "FLOPs per token", "memory roof", "compute roof", "binds", "peak used", "TFLOPS", "arithmetic intensity",
        "ridge point", "vector peak", "TFLOPS FP32", "FLOP per byte of bandwidth", "LM head",
        "gathered embedding rows", "LM head every token");

    JsonNode j = Cli.run(LLAMA_ON_4090, "--explain", "--format", "json").json();
    JsonNode roof = j.get("roofline");
    JsonNode s = j.get("scenario");
    // whether Llama 3 8B ties its embeddings is not in the catalog: untied, the bound's choice. The body and the LM
    // head are streamed (params − vocab × hidden), and one embedding row per sequence is gathered
    JsonNode model = s.get("model");
    double weights = (model.get("params_b").asDouble() * 1e9
        - model.get("vocab").asDouble() * model.get("hidden").asDouble()
        + s.get("batch").asDouble() * model.get("hidden").asDouble())
        * s.get("quant").get("bits_per_weight").asDouble() / 8;
    assertThat(roof.get("weight_bytes").asDouble()).isCloseTo(weights, org.assertj.core.api.Assertions.within(1.0));
    assertThat(r.out()).contains(Text.bytes(weights) + " = ");
    assertThat(roof.get("bytes_per_step").asDouble()).isGreaterThan(weights);
    // Decode at batch 1 moves every weight per token: memory-bound on any GPU.
    assertThat(roof.get("bound").asText()).isEqualTo("memory");
    assertThat(roof.get("memory_roof_tokens_per_s").asDouble())
        .isCloseTo(s.get("device").get("mem_bw_gbs").asDouble() * 1e9 / roof.get("bytes_per_step").asDouble(),
            org.assertj.core.api.Assertions.within(1e-6))
        .isLessThan(roof.get("compute_roof_tokens_per_s").asDouble())
        .isEqualTo(j.get("roofline_tokens_per_s").asDouble());
    assertThat(roof.get("ridge_point").asDouble()).isCloseTo(
        roof.get("peak_tflops").asDouble() * 1000 / s.get("device").get("mem_bw_gbs").asDouble(),
        org.assertj.core.api.Assertions.within(1e-9));
    assertThat(roof.get("vector_tflops").asDouble()).isEqualTo(s.get("device").get("fp32_tflops").asDouble())
        .isEqualTo(82.6);
  }

  /** --tp splits the weights over two devices: the memory roof doubles and the layout is explained. */
  @Test
  void tensorParallelismHalvesTheWeightTimeAndExplainsTheLayout() {
    String[] single = {"predict", "--model", "Llama 3 70B", "--device", "H100 SXM5 80GB", "--quant", "F16",
        "--context", "1024", "--explain", "--format", "json"};
    JsonNode one = Cli.run(single).json();
    List<String> args = new java.util.ArrayList<>(List.of(single));
    args.addAll(List.of("--tp", "2"));
    Cli.Result tp = Cli.run(args.toArray(String[]::new));
    assertThat(tp.exit()).as(tp.toString()).isZero();
    double oneRoof = one.get("roofline").get("memory_roof_tokens_per_s").asDouble();
    double twoRoof = tp.json().get("roofline").get("memory_roof_tokens_per_s").asDouble();
    // weights and KV both split over the two devices at batch 1
    assertThat(twoRoof).isCloseTo(2 * oneRoof, org.assertj.core.api.Assertions.within(1e-6 * oneRoof));
    List<String> textArgs = new java.util.ArrayList<>(List.of(single).subList(0, 10));
    textArgs.addAll(List.of("--tp", "2"));
    Cli.Result table = Cli.run(textArgs.toArray(String[]::new));
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("per replica of 2 × 1 devices", "interconnect", "weights over tp = 2");
    Cli.Result bad = Cli.run("predict", "--model", "Llama 3 70B", "--device", "H100 SXM5 80GB", "--quant", "F16",
        "--context", "1024", "--devices", "3", "--tp", "2");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("devices = 3 is invalid: expected a multiple of tp × pp = 2");
  }

  /**
   * The GB10's FP16 peak is not published: the bound computes at NVIDIA's highest FP16 per SM (GB200, 2500 / 148)
   * × 48 SMs = 810.8 TFLOPS, the model reads 500 FP4 × 0.25 (Blackwell's FP16/FP4) = 125 TFLOPS, and the answer
   * says both.
   */
  @Test
  void anUnknownPeakIsGenerousForTheBoundAndABestEstimateForTheModelAndBothAreSaid() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "NVIDIA GB10 (DGX Spark)", "--quant",
        "F16", "--context", "2048", "--phase", "prefill", "--explain", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("roofline").get("peak_tflops").asDouble())
        .isCloseTo(2500.0 / 148 * 48, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(r.json().get("assumptions"))
        .anySatisfy(a -> assertThat(a.asText()).contains("FP16 peak of NVIDIA GB10 (DGX Spark) unknown: the bound"
            + " assumes 810.8 TFLOPS"))
        .anySatisfy(a -> assertThat(a.asText()).contains("the model is given the best estimate 125.0 TFLOPS (its FP4"
            + " peak 500.0 × 0.2500, the median FP16/FP4 ratio of 2 NVIDIA devices (B200, GB200 NVL72 (per GPU)))"));
  }

  /** A vector peak given on the command line reaches the scenario and the roofline; without one it is imputed. */
  @Test
  void anExplicitFp32PeakIsUsedAndAMissingOneIsAssumedAloud() {
    Cli.Result given = Cli.run(LLAMA_ON_4090, "--fp32-tflops", "90", "--explain", "--format", "json");
    assertThat(given.exit()).as(given.toString()).isZero();
    assertThat(given.json().get("scenario").get("device").get("fp32_tflops").asDouble()).isEqualTo(90);
    assertThat(given.json().get("roofline").get("vector_tflops").asDouble()).isEqualTo(90);

    // a given FP16 peak keeps the catalog's other figures; this device has no FP32 figure, so it is imputed aloud
    Cli.Result imputed = Cli.run("predict", "--model", "Llama 3 8B", "--device", "Apple M3 Max (40-core GPU)",
        "--quant", "Q4_K_M", "--context", "512", "--fp16-tflops", "30", "--format", "json");
    assertThat(imputed.exit()).as(imputed.toString()).isZero();
    assertThat(imputed.json().get("scenario").get("device").get("fp32_tflops").isNull()).isTrue();
    assertThat(imputed.json().get("assumptions")).anySatisfy(a -> assertThat(a.asText())
        .contains("FP32 vector peak of Apple M3 Max (40-core GPU) (with given figures) unknown: assumed"));

    Cli.Result bad = Cli.run(LLAMA_ON_4090, "--fp32-tflops", "-3");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("device FP32 vector peak", "-3", "[0.001, 100000] TFLOPS");
  }

  @Test
  void explicitSpecsNeedNoCatalogNames() {
    Cli.Result r = Cli.run("predict", "--params-b", "7", "--layers", "32", "--heads", "32", "--kv-heads", "8",
        "--hidden", "4096", "--mem-bw-gbs", "800", "--fp16-tflops", "100", "--quant", "Q4_0", "--context", "1024",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode s = r.json().get("scenario");
    assertThat(s.get("model").get("name").asText()).startsWith("custom");
    assertThat(s.get("model").get("head_dim").asInt()).isEqualTo(128);
    assertThat(s.get("device").get("mem_bw_gbs").asDouble()).isEqualTo(800);
    assertThat(r.json().get("tokens_per_s").asDouble()).isLessThanOrEqualTo(
        r.json().get("roofline_tokens_per_s").asDouble());
  }

  @Test
  void configurationFileAndFlagsReachThePredictor(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tuner.properties");
    Files.writeString(config, "tuner.model=test-constant\ninterval.level=0.8\n");
    JsonNode j = Cli.run(LLAMA_ON_4090, "--config", config.toString(), "--format", "json").json();
    assertThat(j.get("model").get("id").asText()).isEqualTo("test-constant-half");
    assertThat(j.get("model").get("provider").asText()).isEqualTo("test-constant");
    assertThat(j.get("model").get("fallback").asBoolean()).isFalse();
    assertThat(j.get("interval").get("level").asDouble()).isEqualTo(0.8);
    assertThat(j.get("tokens_per_s").asDouble()).isEqualTo(j.get("roofline_tokens_per_s").asDouble() / 2);
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(List.of("--batch", "0"), "batch = 0 is invalid"),
        Arguments.of(List.of("--batch", "NaN"), "--batch"),
        Arguments.of(List.of("--mem-gb", "NaN"), "'NaN' is not a finite number"),
        Arguments.of(List.of("--l2-mb", "Infinity"), "'Infinity' is not a finite number"),
        Arguments.of(List.of("--phase", "generate"), "phase = generate is invalid: expected decode or prefill"),
        Arguments.of(List.of("--kv-cache-type", "q2"), "kv-cache type = q2 is invalid"),
        Arguments.of(List.of("--no-such-option"), "Unknown option: '--no-such-option'"),
        Arguments.of(List.of("--format", "xml"), "--format"),
        Arguments.of(List.of("--top-features", "-1"), "--top-features = -1"));
  }

  @ParameterizedTest
  @MethodSource("badArguments")
  void badArgumentsAreOneLineAndExitCodeTwo(List<String> extra, String message) {
    Cli.Result r = Cli.run(LLAMA_ON_4090, extra.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("tuner predict: ").contains(message);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void anUnknownDeviceListsTheClosestNames() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4099", "--quant", "Q4_K_M",
        "--context", "512");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("device = \"RTX 4099\" is invalid", "closest:", "RTX 4090");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void aMissingContextTakesTheStatedDefault() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("note: no --context given: 512 tokens assumed");
    assertThat(r.json().get("tokens_per_s").asDouble())
        .isEqualTo(Cli.run(LLAMA_ON_4090, "--format", "json").json().get("tokens_per_s").asDouble());
    assertThat(Cli.run(LLAMA_ON_4090).err()).doesNotContain("--context");
  }

  @Test
  void aModelThatCannotBeLoadedIsARuntimeFailureWithATraceOnlyUnderDebug(@TempDir Path dir) throws Exception {
    // a file cut short: it exists, so this is a model that cannot be loaded, not a bad option value
    String cut = java.nio.file.Files.writeString(dir.resolve("cut-model.json"), "{\n  \"format\": {\n").toString();
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--model-file", cut);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("cut-model.json", "invalid JSON").doesNotContain("\tat ", "REDACTED");
    assertThat(r.err().strip().lines()).hasSize(1);

    Cli.Result debug = Cli.run(LLAMA_ON_4090, "--model-file", cut, "--debug");
    assertThat(debug.exit()).isEqualTo(1);
    assertThat(debug.err()).contains("\tat ");

    // a file that is not there is a bad value, as for every other input file of every command
    String missing = dir.resolve("missing-model.json").toString();
    Cli.Result none = Cli.run(LLAMA_ON_4090, "--model-file", missing);
    assertThat(none.exit()).as(none.toString()).isEqualTo(2);
    assertThat(none.err()).contains("--model-file", "missing-model.json", "an existing file (no such file)");
    Cli.Result terms = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8",
        "--engine", "vllm", "--isl", "100", "--osl", "10", "--concurrency", "2", "--serving-terms", missing);
    assertThat(terms.exit()).as(terms.toString()).isEqualTo(2);
    assertThat(terms.err()).contains("--serving-terms");
    // and so it is when the configuration names it, the key --model-file sets
    String config = java.nio.file.Files.writeString(dir.resolve("tuner.yaml"), "artifact: " + missing + "\n")
        .toString();
    Cli.Result configured = Cli.run(Cli.with(new String[] {"--config", config}, LLAMA_ON_4090));
    assertThat(configured.exit()).as(configured.toString()).isEqualTo(2);
    assertThat(configured.err()).contains("tuner.artifact = " + missing, "an existing file (no such file)");
  }

  /** A request refused for a misspelt model prints its error alone: no note of a prediction that never happened. */
  @Test
  void aRefusedRequestWithoutContextPrintsOnlyItsError() {
    Cli.Result r = Cli.run("predict", "--model", "Lama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("model = \"Lama 3 8B\" is invalid").doesNotContain("note:");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  /**
   * A zero-copy step reads its weights over the host link (the RTX 4090's PCIe 4.0 x16, 32 GB/s) and its KV cache from
   * the card's memory (1008 GB/s): the explanation names the bandwidth that sets each, not the memory's for both.
   */
  @Test
  void theExplanationOfAZeroCopyStepNamesTheHostLinksBandwidth() {
    Cli.Result r = Cli.run(LLAMA_ON_4090, "--zero-copy", "--explain");
    assertThat(r.exit()).as(r.toString()).isZero();
    String memoryRoof = r.out().lines().filter(l -> l.contains("memory roof")).findFirst().orElseThrow();
    assertThat(memoryRoof).contains("ms per step: weights at 32 GB/s over the host link, KV cache at 1008 GB/s")
        .doesNotContain("per step at 1008 GB/s");
    assertThat(Cli.run(LLAMA_ON_4090, "--explain").out()).contains("ms per step at 1008 GB/s)");
  }

  @Test
  void aContextBeyondEveryTrainingRowTakesTheWiderIntervalAndSaysWhy() {
    String[] decode = {"predict", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--format",
        "json", "--context"};
    JsonNode inside = Cli.run(decode, "8192").json();
    JsonNode beyond = Cli.run(decode, "131072").json();
    assertThat(inside.get("assumptions").toString()).doesNotContain("beyond the largest");
    assertThat(beyond.get("assumptions").toString()).contains("beyond the largest among the model's training rows",
        "the scenario lies beyond the training rows (above), where no held-out error was measured");
    double wide = beyond.get("interval").get("high").asDouble() / beyond.get("interval").get("low").asDouble();
    double narrow = inside.get("interval").get("high").asDouble() / inside.get("interval").get("low").asDouble();
    assertThat(wide).isGreaterThan(narrow);
  }

  @Test
  void noTopFeaturesAskedForPrintsNoSectionForThem() {
    // the legend says an off one-hot may rank, so backend_metal on an RTX 4090 does not read as a claim
    assertThat(Cli.run(LLAMA_ON_4090).out()).contains("Top features", "a one-hot such as backend_metal counts by being"
        + " off too");
    Cli.Result none = Cli.run(LLAMA_ON_4090, "--top-features", "0");
    assertThat(none.exit()).as(none.toString()).isZero();
    assertThat(none.out()).doesNotContain("Top features", "does not attribute");
  }

  @Test
  void aConfigurationThatDoesNotFitIsPredictedWithAWarning() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 70B", "--device", "RTX 4090", "--quant", "F16",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().path("warnings").toString()).contains("does not fit", "RTX 4090", "24 GiB");
    // the library's prediction says it too, so an embedder that shows the figure can warn as the CLI does
    assertThat(r.json().path("assumptions").toString()).contains("does not fit", "the prediction assumes it runs");
    Cli.Result table = Cli.run("predict", "--model", "Llama 3 70B", "--device", "RTX 4090", "--quant", "F16",
        "--context", "512");
    assertThat(table.err()).startsWith("warning: does not fit");
    Cli.Result fits = Cli.run(LLAMA_ON_4090, "--format", "json");
    assertThat(fits.json().path("warnings").size()).isZero();
    assertThat(fits.json().path("assumptions").toString()).doesNotContain("does not fit");
  }

  /**
   * llama.cpp has no plain MXFP4 file of a mixture of experts: a gpt-oss in MXFP4 is warned towards MXFP4_MOE and
   * MXFP4_EXPERTS_F16, which predict its files; those two themselves and a dense model are not warned.
   */
  @Test
  void aMixtureOfExpertsInPlainMxfp4IsWarnedTowardsMxfp4Moe() {
    Cli.Result plain = Cli.run("predict", "--model", "gpt-oss-20b", "--device", "RTX 4090", "--quant", "MXFP4",
        "--context", "128", "--format", "json");
    assertThat(plain.exit()).as(plain.toString()).isZero();
    assertThat(plain.json().path("warnings").toString())
        .contains("--quant MXFP4_MOE or MXFP4_EXPERTS_F16 predicts such a file");
    Cli.Result table = Cli.run("predict", "--model", "gpt-oss-20b", "--device", "RTX 4090", "--quant", "MXFP4",
        "--context", "128");
    assertThat(table.err()).contains("warning: llama.cpp keeps a mixture of experts' MXFP4 weights");
    for (String[] quiet : new String[][] {{"gpt-oss-20b", "MXFP4_MOE"}, {"gpt-oss-20b", "MXFP4_EXPERTS_F16"},
        {"Llama 3 8B", "MXFP4"}}) {
      Cli.Result r = Cli.run("predict", "--model", quiet[0], "--device", "RTX 4090", "--quant", quiet[1],
          "--context", "128", "--format", "json");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.json().path("warnings").toString()).as(String.join(" ", quiet)).doesNotContain("MXFP4_MOE");
    }
  }

  /**
   * llama.cpp loads GGUF files: an AWQ, FP8 or NVFP4 checkpoint was predicted as "llama.cpp CUDA" without a word (AWQ
   * 142.0 tokens/s for Llama 3 8B on an RTX 4090). It says now what the figure is; a GGUF type says nothing, and a
   * recommendation over such a format says it once.
   */
  @Test
  void aCheckpointFormatLlamaCppDoesNotLoadSaysWhatItsFigureIs() {
    for (String[] q : new String[][] {{"AWQ", "4.16", "fp16", "Q4_1"}, {"FP8", "8", "fp8", "Q8_0"},
        {"NVFP4", "4.5", "fp4", "Q4_0"}}) {
      Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", q[0], "--context",
          "512", "--format", "json");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.json().get("assumptions").toString()).contains(q[0] + " is a checkpoint format llama.cpp does not"
          + " load (it loads GGUF files, whose types are ggml's)", "this is " + q[0] + "'s " + q[1] + " bits per"
          + " weight with " + q[2] + " arithmetic, read as a " + q[3] + "-class format", "not a run of an engine that"
          + " loads it");
    }
    Cli.Result gguf = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(gguf.json().get("assumptions").toString()).doesNotContain("checkpoint format");
    Cli.Result rec = Cli.run("recommend", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quants", "GPTQ,Q4_K_M",
        "--batches", "1", "--format", "json");
    assertThat(rec.exit()).as(rec.toString()).isZero();
    assertThat(rec.json().get("notes").toString()).contains("GPTQ is a checkpoint format llama.cpp does not load")
        .doesNotContain("Q4_K_M is a checkpoint");
  }
}
