package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tuner train --protocol DIR} with the per-phase ensemble and {@code --schema}, end to end. */
class TrainProtocolCommandTest {
  /** Enough shipped rows for several chip families and architectures, few enough for ten quick cross-validations. */
  private static final int ROWS = 240;

  @TempDir
  Path dir;

  @Test
  void theEnsembleRunsTheProtocolOnTheChosenSchemaAndTheArtifactRecordsIt() throws Exception {
    Path data = dir.resolve("measurements.csv");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> lines = r.lines().limit(ROWS + 1).collect(Collectors.toList());
      Files.write(data, lines, StandardCharsets.UTF_8);
    }
    Path out = dir.resolve("model.json");
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--model-type", "ensemble", "--schema", "tuner-v2",
        "--target", "log_serial_roof_fraction", "--cv", "family", "--set", "monotone=physics", "--set",
        "decode.members=forest", "--set", "prefill.members=forest,linear", "--set", "forest.trees=4", "--set",
        "forest.max_depth=4", "--protocol", dir.toString(), "--out", out.toString(), "--no-progress");
    assertThat(r.exit()).as(r.toString()).isZero();

    JsonNode accuracy = new ObjectMapper().readTree(dir.resolve("accuracy.json").toFile());
    JsonNode ensemble = accuracy.path("splits").path("family").path("candidates").path("ensemble");
    assertThat(ensemble.path("decode").path("mape").path("by_seed")).hasSize(5);
    assertThat(Files.readString(dir.resolve("accuracy.md"))).contains("| leave-one-family-out | decode");
    JsonNode header = new ObjectMapper().readTree(out.toFile()).path("header");
    assertThat(header.path("schema").path("id").asText()).isEqualTo("tuner-v2");
    assertThat(header.path("cross_validation").path("protocol")).isEqualTo(accuracy);
  }

  @Test
  void anUnknownSchemaIsRefusedNamingTheChoices() throws Exception {
    // the data must exist: outputs and inputs are checked before anything else
    Path data = Files.writeString(dir.resolve("unused.csv"), "source_id\n");
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--schema", "tuner-v9", "--no-progress");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("tuner-v9", "tuner-v1, tuner-v2, tuner-v3, tuner-v4, reference-v1");
  }
}
