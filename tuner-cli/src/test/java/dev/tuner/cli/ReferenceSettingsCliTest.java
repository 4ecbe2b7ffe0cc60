package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings that choose a model's reference, end to end: {@code --set reference.step_overhead=…} and
 * {@code --set reference.prefill_rate=…}. The training run records the figures it used, predictions from the artifact
 * are relative to the same reference, and a malformed setting is refused before any training.
 */
class ReferenceSettingsCliTest {
  @TempDir
  Path dir;
  Path data;

  @BeforeEach
  void copyData() {
    data = ShippedMeasurements.copyTo(dir.resolve("measurements.csv"));
  }

  /** A linear model of the serial-roof target trained with {@code setting} (KEY=VALUE). */
  private Cli.Result train(String setting, Path out) {
    return Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--schema", "tuner-v2", "--target",
        "log_serial_roof_fraction", "--cv", "4", "--no-progress", "--set", setting, "--out", out.toString(),
        "--format", "json");
  }

  private static double decode(Path model, String batch) {
    Cli.Result r = Cli.run("predict", "--model-file", model.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "512", "--batch", batch, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("tokens_per_s").asDouble();
  }

  private static double prefill(Path model) {
    Cli.Result r = Cli.run("predict", "--model-file", model.toString(), "--model", "Llama 3 8B", "--device",
        "H100 PCIe", "--quant", "Q4_K_M", "--context", "512", "--phase", "prefill", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("tokens_per_s").asDouble();
  }

  @Test
  void theArtifactRecordsTheOverheadAndPredictsRelativeToIt() throws Exception {
    Path fixed = dir.resolve("fixed.json");
    Cli.Result trained = train("reference.step_overhead=2e-4", fixed);
    assertThat(trained.exit()).as(trained.toString()).isZero();
    JsonNode header = new ObjectMapper().readTree(fixed.toFile()).get("header");
    assertThat(header.path("properties").path("reference.step_overhead_s_per_layer").asText()).isEqualTo("2.0E-4");
    assertThat(header.path("hyper_parameters").path("reference.step_overhead").asText()).isEqualTo("2e-4");
    // a linear model of the same data without the overhead predicts differently: the reference is not ignored
    Path none = dir.resolve("none.json");
    assertThat(train("reference.step_overhead=none", none).exit()).isZero();
    assertThat(new ObjectMapper().readTree(none.toFile()).get("header").path("properties")
        .has("reference.step_overhead_s_per_layer")).isFalse();
    assertThat(decode(fixed, "1")).isNotEqualTo(decode(none, "1"));
  }

  @Test
  void autoRecordsTheFigureItChoseFromTheGrid() throws Exception {
    Path auto = dir.resolve("auto.json");
    assertThat(train("reference.step_overhead=auto", auto).exit()).isZero();
    JsonNode header = new ObjectMapper().readTree(auto.toFile()).get("header");
    assertThat(header.path("hyper_parameters").path("reference.step_overhead").asText()).isEqualTo("auto");
    String chosen = header.path("properties").path("reference.step_overhead_s_per_layer").asText("0");
    assertThat(java.util.Arrays.stream(dev.tuner.core.learn.StepOverhead.GRID).anyMatch(
        g -> g == Double.parseDouble(chosen))).as(chosen).isTrue();
  }

  @Test
  void aMalformedOverheadIsAUsageErrorNamingTheKey() {
    Cli.Result r = train("reference.step_overhead=fast", dir.resolve("x.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("reference.step_overhead", "fast", "auto, none");
    assertThat(dir.resolve("x.json")).doesNotExist();
  }

  @Test
  void autoRecordsARatePerVendorFromTheGridAndPredictionsUseIt() throws Exception {
    Path auto = dir.resolve("auto.json");
    Cli.Result trained = train("reference.prefill_rate=auto", auto);
    assertThat(trained.exit()).as(trained.toString()).isZero();
    JsonNode header = new ObjectMapper().readTree(auto.toFile()).get("header");
    assertThat(header.path("hyper_parameters").path("reference.prefill_rate").asText()).isEqualTo("auto");
    int rates = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = header.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("reference.prefill_tflops_per_unit.")) {
        rates++;
        double v = Double.parseDouble(e.getValue().asText());
        assertThat(java.util.Arrays.stream(dev.tuner.core.learn.PrefillRate.GRID).anyMatch(g -> g == v))
            .as(e.toString()).isTrue();
      }
    }
    // the shipped rows' NVIDIA prefill falls in share as the peak rises: some vendor takes a rate
    assertThat(rates).isPositive();
    Path none = dir.resolve("none.json");
    assertThat(train("reference.prefill_rate=none", none).exit()).isZero();
    assertThat(prefill(auto)).isNotEqualTo(prefill(none));
  }

  @Test
  void batchedDecodeIsRelativeToOneSequenceUnlessTheRunSaysSame() throws Exception {
    Path one = dir.resolve("one.json");
    Cli.Result trained = train("reference.step_overhead=none", one);
    assertThat(trained.exit()).as(trained.toString()).isZero();
    assertThat(new ObjectMapper().readTree(one.toFile()).get("header").path("properties")
        .path("reference.decode_one_sequence").asText()).isEqualTo("true");
    Path same = dir.resolve("same.json");
    Cli.Result legacy = train("reference.decode_batch=same", same);
    assertThat(legacy.exit()).as(legacy.toString()).isZero();
    assertThat(new ObjectMapper().readTree(same.toFile()).get("header").path("properties")
        .has("reference.decode_one_sequence")).isFalse();
    // at batch 1 the two references are one; batched, the model predicts relative to a different reference
    assertThat(decode(one, "8")).isNotEqualTo(decode(same, "8"));
    Cli.Result bad = train("reference.decode_batch=all", dir.resolve("x.json"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("reference.decode_batch", "all", "one", "same");
    assertThat(dir.resolve("x.json")).doesNotExist();
  }

  @Test
  void aMalformedPrefillRateIsAUsageErrorNamingTheKey() {
    Cli.Result r = train("reference.prefill_rate=fast", dir.resolve("x.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("reference.prefill_rate", "fast", "auto or none");
    assertThat(dir.resolve("x.json")).doesNotExist();
  }
}
