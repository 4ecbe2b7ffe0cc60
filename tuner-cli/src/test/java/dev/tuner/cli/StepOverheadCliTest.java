package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --set reference.step_overhead=…} end to end: the training run records the overhead it used, predictions from
 * the artifact are relative to the same reference, and a malformed setting is refused before any training.
 */
class StepOverheadCliTest {
  @TempDir
  Path dir;
  Path data;

  @BeforeEach
  void copyData() throws Exception {
    data = dir.resolve("measurements.csv");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      Files.copy(in, data);
    }
  }

  private Cli.Result train(String overhead, Path out) {
    return Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--schema", "tuner-v2", "--target",
        "log_serial_roof_fraction", "--cv", "4", "--no-progress", "--set", "reference.step_overhead=" + overhead,
        "--out", out.toString(), "--format", "json");
  }

  private static double decode(Path model, String batch) {
    Cli.Result r = Cli.run("predict", "--model-file", model.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "512", "--batch", batch, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("tokens_per_s").asDouble();
  }

  @Test
  void theArtifactRecordsTheOverheadAndPredictsRelativeToIt() throws Exception {
    Path fixed = dir.resolve("fixed.json");
    Cli.Result trained = train("2e-4", fixed);
    assertThat(trained.exit()).as(trained.toString()).isZero();
    JsonNode header = new ObjectMapper().readTree(fixed.toFile()).get("header");
    assertThat(header.path("properties").path("reference.step_overhead_s_per_layer").asText()).isEqualTo("2.0E-4");
    assertThat(header.path("hyper_parameters").path("reference.step_overhead").asText()).isEqualTo("2e-4");
    // a linear model of the same data without the overhead predicts differently: the reference is not ignored
    Path none = dir.resolve("none.json");
    assertThat(train("none", none).exit()).isZero();
    assertThat(new ObjectMapper().readTree(none.toFile()).get("header").path("properties")
        .has("reference.step_overhead_s_per_layer")).isFalse();
    assertThat(decode(fixed, "1")).isNotEqualTo(decode(none, "1"));
  }

  @Test
  void autoRecordsTheFigureItChoseFromTheGrid() throws Exception {
    Path auto = dir.resolve("auto.json");
    assertThat(train("auto", auto).exit()).isZero();
    JsonNode header = new ObjectMapper().readTree(auto.toFile()).get("header");
    assertThat(header.path("hyper_parameters").path("reference.step_overhead").asText()).isEqualTo("auto");
    String chosen = header.path("properties").path("reference.step_overhead_s_per_layer").asText("0");
    assertThat(java.util.Arrays.stream(dev.tuner.core.learn.StepOverhead.GRID).anyMatch(
        g -> g == Double.parseDouble(chosen))).as(chosen).isTrue();
  }

  @Test
  void aMalformedSettingIsAUsageErrorNamingTheKey() {
    Cli.Result r = train("fast", dir.resolve("x.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("reference.step_overhead", "fast", "auto, none");
    assertThat(dir.resolve("x.json")).doesNotExist();
  }
}
