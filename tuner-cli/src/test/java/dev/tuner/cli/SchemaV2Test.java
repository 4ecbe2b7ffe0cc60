package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner-v2 feature schema end to end: chosen by configuration, trained, and used; old artifacts keep theirs. */
class SchemaV2Test {
  @TempDir
  Path dir;

  @Test
  void trainWithTunerV2ThenPredictWithItsArtifact() throws Exception {
    Path data = ShippedMeasurements.copyTo(dir.resolve("measurements.csv"));
    Path config = dir.resolve("tuner.properties");
    Files.writeString(config, "schema=tuner-v2\n");
    Path out = dir.resolve("v2.json");
    Cli.Result trained = Cli.run("--config", config.toString(), "train", "--data", data.toString(), "--model-type",
        "linear", "--cv", "4", "--no-progress", "--format", "json", "--out", out.toString());
    assertThat(trained.exit()).as(trained.toString()).isZero();
    assertThat(trained.json().path("phases").path("decode").path("mape").asDouble()).isBetween(0.0, 1.0);

    Cli.Result predicted = Cli.run("predict", "--model-file", out.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "512", "--depth", "4096", "--format", "json");
    assertThat(predicted.exit()).as(predicted.toString()).isZero();
    JsonNode j = predicted.json();
    assertThat(j.get("model").get("schema").asText()).startsWith("tuner-v2");
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  /** The shipped default model was trained on tuner-v2 and predicts through it while the configured schema is v1. */
  @Test
  void theShippedDefaultModelKeepsItsOwnSchema() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("model").get("schema").asText()).startsWith("tuner-v4");
    assertThat(r.json().get("model").get("fallback").asBoolean()).isFalse();
  }

  @Test
  void anUnknownSchemaIsRefusedNamingTheChoices() throws Exception {
    Path config = dir.resolve("bad.properties");
    Files.writeString(config, "schema=tuner-v9\n");
    Cli.Result r = Cli.run("--config", config.toString(), "plugins");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("tuner-v9", "tuner-v1, tuner-v2, tuner-v3, tuner-v4, reference-v1");
  }
}
